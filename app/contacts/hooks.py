"""Start-up wiring of the contacts domain: invite binding, reporter membership and the demo seeder."""


def bind_member(user, target_id):
    """Bind a contact-point invite (POST /auth/bind) to the caller's WeChat account."""
    from app.contacts.service import bind_member as bind

    return bind(user, target_id)


def reporter_membership(user):
    """{member_id, layer, type} of the caller's active membership, or None (used by POST /reports)."""
    from app.contacts.service import reporter_membership as lookup

    return lookup(user)


def seed_demo(echo):
    """A few demo members in 竹山县 (idempotent); prints their invite codes."""
    from app.contacts.demo import seed_members

    seed_members(echo)


def register(app):
    """Contribute to the auth, reports and demo extension points."""
    app.extensions.setdefault("mss_bind_handlers", {})["contact_point"] = bind_member
    app.extensions.setdefault("mss_reporter_membership", []).append(reporter_membership)
    app.extensions.setdefault("mss_demo_seeders", []).append(seed_demo)
