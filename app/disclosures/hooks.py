"""Start-up wiring of the disclosures domain: ORM guards, the village profile and the demo seeder."""

from app.disclosures.ledger import install_guards


def village_profile(village):
    """What disclosures add to GET /villages/{code}: published counts by kind and the ledger head."""
    import sqlalchemy as sa

    from app.disclosures.models import KINDS, Disclosure
    from app.disclosures.reads import ledger_head
    from app.extensions import db

    rows = db.session.execute(sa.select(Disclosure.kind, sa.func.count()).where(
        Disclosure.village_code == village.code, Disclosure.status == "published").group_by(Disclosure.kind))
    counts = dict.fromkeys(KINDS, 0) | {kind: count for kind, count in rows}
    return {"disclosure_counts": counts, "ledger_head": ledger_head(village.code)}


def upload_is_public(upload_id):
    """Whether an upload is an attachment of a published (or withdrawn, still readable) affairs/party disclosure."""
    import sqlalchemy as sa

    from app.disclosures.models import PUBLIC_STATES, Disclosure, DisclosureVersion
    from app.extensions import db

    stmt = (sa.select(DisclosureVersion.content).join(Disclosure)
            .where(Disclosure.kind.in_(("affairs", "party")), DisclosureVersion.state.in_(PUBLIC_STATES),
                   sa.cast(DisclosureVersion.content, sa.Text).contains(upload_id, autoescape=True)))
    return any(upload_id in (content or {}).get("attachment_ids", []) for content in db.session.scalars(stmt))


def broken_ledgers():
    """Village codes whose disclosure ledger does not verify (checked after `flask restore`)."""
    import sqlalchemy as sa

    from app.disclosures import ledger
    from app.disclosures.models import LedgerEntry
    from app.extensions import db

    codes = db.session.execute(sa.select(LedgerEntry.village_code).distinct()).scalars().all()
    return [code for code in codes if not ledger.verify(code).get("ok", False)]


def seed_demo(echo):
    """Publish the demo disclosures (idempotent)."""
    from app.disclosures.demo import seed_disclosures

    seed_disclosures(echo)


def register(app):
    """Install the guards and contribute to other domains' extension points."""
    install_guards()
    app.extensions.setdefault("mss_village_profile", []).append(village_profile)
    app.extensions.setdefault("mss_public_upload_checks", []).append(upload_is_public)
    app.extensions.setdefault("mss_demo_seeders", []).append(seed_demo)
    app.extensions.setdefault("mss_restore_checks", []).append(broken_ledgers)
