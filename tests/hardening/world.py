"""The world the authorization matrix runs in: two counties, a home village full of objects, and the personas.

Every persona is an outsider to the home village's objects except `custodian` and `admin` (global roles), so
the matrix shows that scoping holds, not only that roles are checked.
"""

import io
import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from tests.disclosures import factories as f

HOME = f.LONGJING  # 420323103211 龙井村 (宝丰镇, 竹山县)
HOME_TOWNSHIP = f.BAOFENG
OTHER_VILLAGE = f.LUOJIAPO  # 420323102203 罗家坡村 (麻家渡镇, 竹山县)
COUNTY = "420323000000"
OTHER_COUNTY, OTHER_TOWNSHIP, OTHER_COUNTY_VILLAGE = "420324000000", "420324100000", "420324100201"
HOME_UNIT_NAME, OTHER_UNIT_NAME = "竹山县农业农村局", "竹山县教育局"
PASSWORD = "Passw0rd-test"

# the personas of issue 9, in the order the matrix calls them
PERSONAS = ("anonymous", "resident", "member", "publisher_other", "reviewer_other", "inspector_other",
            "handler_other", "custodian", "admin")
ALL = frozenset(PERSONAS)
SIGNED_IN = ALL - {"anonymous"}


def _second_county():
    from app.regions.models import Region

    rows = [(OTHER_COUNTY, "竹溪县", "county", None), (OTHER_TOWNSHIP, "城关镇", "township", OTHER_COUNTY),
            (OTHER_COUNTY_VILLAGE, "东关社区", "village", OTHER_TOWNSHIP)]
    for code, name, level, parent in rows:
        db.session.add(Region(code=code, name=name, display_name=name, level=level, parent_code=parent))
    db.session.commit()


def _unit_id(name):
    from app.regions.models import Unit

    return db.session.scalar(sa.select(Unit.id).where(Unit.name == name))


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _member(user_id, region_code, phone):
    from app.auth.models import WechatIdentity
    from app.contacts.service import new_member
    from app.regions.models import Region

    member = new_member({"type": "contact_point", "name": "联系点成员甲", "phone": phone, "layer": "farmer"},
                        db.session.get(Region, region_code))
    member.user_id = user_id
    db.session.add(member)
    db.session.add(WechatIdentity(openid=f"o-member-{user_id}", user_id=user_id))
    db.session.commit()
    return member.id


def _contacts_available():
    try:
        import app.contacts.service  # noqa: F401
    except ImportError:
        return False
    return True


def _batch(created_by):
    from app.qr.models import QrBatch

    batch = QrBatch(status="queued", template="a4_notice", format="png", village_codes=[HOME], total=1,
                    created_by=created_by)
    db.session.add(batch)
    db.session.commit()
    return batch.id


def _grant_id(user_id):
    from app.auth.models import RoleGrant

    return db.session.scalar(sa.select(RoleGrant.id).where(RoleGrant.user_id == user_id))


class Users:
    """make_user / token_for of tests/conftest.py, usable outside a function-scoped fixture."""

    def __init__(self, app):
        from app.auth.passwords import hash_password

        self.app = app
        self.hash = hash_password(PASSWORD)

    def make(self, *grants, username, unit_id=None):
        """A user with grants [(role, region, unit)]; returns its id."""
        from app.auth.models import RoleGrant, User

        with self.app.app_context():
            user = User(username=username, display_name=username, password_hash=self.hash, unit_id=unit_id)
            db.session.add(user)
            db.session.flush()
            for grant in grants:
                role, region, unit = (tuple(grant) + (None, None))[:3]
                db.session.add(RoleGrant(user_id=user.id, role=role, region_code=region, unit_id=unit))
            db.session.commit()
            return user.id

    def headers(self, user_id):
        """Bearer headers with a fresh token for the user."""
        from app.auth.models import User
        from app.auth.tokens import issue_token

        with self.app.app_context():
            raw, _ = issue_token(db.session.get(User, user_id), 1)
            db.session.commit()
        return {"Authorization": f"Bearer {raw}"}


def build_world(app):
    """Seed both counties, the home village's staff and objects, and one user per persona."""
    from app.demo.seed import seed_regions, seed_units

    client, users = app.test_client(), Users(app)
    make_user, token_for = users.make, users.headers
    with app.app_context():
        seed_regions()
        seed_units()
        _second_county()
        home_unit, other_unit = _unit_id(HOME_UNIT_NAME), _unit_id(OTHER_UNIT_NAME)
    w = SimpleNamespace(home=HOME, other_village=OTHER_VILLAGE, county=COUNTY, township=HOME_TOWNSHIP,
                        home_unit=home_unit, other_unit=other_unit, password=PASSWORD, users_api=users,
                        counter=itertools.count(1))
    # the home village's own staff: they create the objects the personas then try to reach
    w.publisher_home = make_user(("publisher", HOME), username="publisher_home")
    w.reviewer_home = make_user(("reviewer", HOME), username="reviewer_home")
    w.inspector_home = make_user(("inspector", COUNTY), username="inspector_home")
    w.handler_home = make_user(("unit_handler", None, home_unit), unit_id=home_unit, username="handler_home")
    w.resident_target = make_user(username="resident_target")
    staff = SimpleNamespace(publisher=token_for(w.publisher_home), reviewer=token_for(w.reviewer_home))
    w.users = {
        "resident": make_user(username="p_resident"),
        "member": make_user(username="p_member"),
        "publisher_other": make_user(("publisher", OTHER_VILLAGE), username="p_publisher_other"),
        "reviewer_other": make_user(("reviewer", OTHER_VILLAGE), username="p_reviewer_other"),
        "inspector_other": make_user(("inspector", OTHER_COUNTY), username="p_inspector_other"),
        "handler_other": make_user(("unit_handler", None, other_unit), unit_id=other_unit,
                                   username="p_handler_other"),
        "custodian": make_user(("custodian", COUNTY), username="p_custodian"),
        "admin": make_user(("admin",), username="p_admin"),
    }
    w.has_member = _contacts_available()
    # disclosures of the home village in each state the write endpoints need
    w.published = f.publish_new(client, staff, "finance", title="已发布财务公开")
    w.withdrawable = f.publish_new(client, staff, "affairs", title="可撤回的村务公开")
    w.draft = _created(client, staff, "finance", "财务草稿（未提交）")
    w.submitted = _created(client, staff, "power", "待审核的权力清单")
    assert f.act(client, staff.publisher, w.submitted, "submit").status_code == 200
    w.approved = _created(client, staff, "party", "已审核待发布的党务公开")
    assert f.act(client, staff.publisher, w.approved, "submit").status_code == 200
    assert f.act(client, staff.reviewer, w.approved, "approve", {}).status_code == 200
    with app.app_context():
        from app.auth.models import User
        from app.files.service import create_upload

        w.upload = create_upload(_png(), user=db.session.get(User, w.publisher_home)).id
        w.batch = _batch(w.publisher_home)
        w.grant = _grant_id(w.publisher_home)
        if w.has_member:
            w.member_id = _member(w.users["member"], HOME, "13900001111")
            w.home_member = _member(w.resident_target, HOME, "13900002222")
    w.finance_csv, w.png = _finance_csv(), _png()
    try:
        from tests.hardening.authz_intake import build_intake
    except ImportError:  # pragma: no cover - intake and triage not built yet
        return w
    from tests.hardening.authz_networks import build_networks

    return build_networks(build_intake(w, app), app)


def _created(client, staff, kind, title):
    response = f.create(client, staff.publisher, kind, title=title)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _finance_csv():
    return (Path(__file__).parent.parent / "fixtures" / "finance_sample.csv").read_bytes()


def known_ids(w):
    """Real path parameter values of the world, for fuzzing query and body on real objects."""
    ids = {"code": w.home, "disclosure_id": w.published, "number": 1, "seq": 1, "upload_id": w.upload,
           "batch_id": w.batch, "user_id": w.resident_target, "grant_id": w.grant}
    if w.has_member:
        ids["member_id"] = w.home_member
    for name, attr in (("report_id", "received"), ("case_id", "case"), ("request_id", "identity_request"),
                       ("assignment_id", "assignment"), ("warning_id", "warning"), ("recusal_id", "recusal"),
                       ("proposal_id", "proposal")):
        if hasattr(w, attr):
            ids[name] = getattr(w, attr)
    if hasattr(w, "receipt"):
        ids["code"] = w.home  # /reports/track/{code} then gets a village code: a 404, as a guess would
    return ids


@pytest.fixture(name="clean_db")
def shared_world_keeps_db():
    """Overrides the per-test emptying for modules that import it: they share one world."""
    yield


@pytest.fixture(scope="module", name="world")
def shared_world(app):
    """The two-county world, built once per module that imports this fixture, emptied afterwards."""
    from tests.conftest import _truncate

    _truncate(app)
    try:
        yield build_world(app)
    finally:
        _truncate(app)
