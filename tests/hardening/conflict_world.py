"""The world of the conflict matrix: the accused and their units, recused and out-of-scope inspectors, a clean
inspector, and reports sent through every channel (H5 form, mini-program anonymous and real-name, a letter
entered by staff, a contact-point member) naming a roster person, a unit, or a unit's head by post.

Accounts are made directly (as tests/hardening/world.py does); every report goes through POST /api/v1/reports.
"""

import io
import itertools
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa

from app.extensions import db
from tests.hardening.world import COUNTY, HOME, OTHER_COUNTY, Users, _member, _png, _second_county

MAJIADU = "420323102000"
BAOFENG = "420323103000"
ACCUSED_NAME, ACCUSED_POST = "谢祥", "村党支部书记"
HEAD_POST = "竹山县农业农村局局长"
DUE = (date.today() + timedelta(days=20)).isoformat()
# one per report and its decoy, sharing no character with another: each pair is the other's best match
PHRASES = ("春风化雨", "高山流水", "金石为开", "鹏程万里", "海阔天空", "日新月异", "龙马精神", "锦绣前途",
           "繁花似霞", "五谷丰登", "安居乐业", "百鸟朝凤", "一帆顺遂", "心想事成", "四季平和", "吉祥如意",
           "欣欣向荣", "瓜熟蒂落", "绳锯木断", "莺歌燕舞", "桃李芬芳", "松柏长青", "江河湖泊")
CHANNELS = ("h5", "miniprogram_anonymous", "miniprogram_real_name", "letter", "contact_point")
TARGETS = ("roster_person", "unit", "unit_head_post")
# who tries to reach a report, per target: the accused's own account and a handler of the accused's unit differ
COMMON_PARTIES = ("recused", "out_of_scope", "other_county", "conflicted_custodian")
PARTIES = {
    "roster_person": ("accused_inspector", "baofeng_gov_handler", *COMMON_PARTIES),
    "unit": ("director", "agri_handler", *COMMON_PARTIES),
    "unit_head_post": ("director", "agri_handler", "township_below_level", *COMMON_PARTIES),
}
# the accounts each target must resolve into conflicts (GET .../conflicts, user_id or unit_id)
EXPECTED_MATCHES = {
    "roster_person": {("user", "accused_inspector"), ("user", "conflicted_custodian")},
    "unit": {("unit", "agri")},
    "unit_head_post": {("user", "director"), ("unit", "agri")},
}


def _unit(name):
    from app.regions.models import Unit

    return db.session.scalar(sa.select(Unit).where(Unit.name == name))


def _person(users, *grants, username, display_name=None, unit_id=None):
    from app.auth.models import User

    user_id = users.make(*grants, username=username, unit_id=unit_id)
    with users.app.app_context():
        db.session.get(User, user_id).display_name = display_name or username
        db.session.commit()
    return user_id


def build(app):
    """Seed 竹山县 (and 竹溪县), the parties, the roster person linked to the accused inspector, a recusal."""
    from app.auth.models import WechatIdentity
    from app.demo.seed import seed_regions, seed_units
    from app.regions.models import Cadre
    from app.triage.models import Recusal

    users = Users(app)
    with app.app_context():
        seed_regions()
        seed_units()
        _second_county()
        agri, edu, gov = _unit("竹山县农业农村局"), _unit("竹山县教育局"), _unit("宝丰镇人民政府")
        w = SimpleNamespace(app=app, users_api=users, agri=agri.id, edu=edu.id, baofeng_gov=gov.id,
                            agri_head=agri.head_name, counter=itertools.count(1), tokens={})
    u = {
        "clean": _person(users, ("inspector", COUNTY), username="clean_inspector", display_name="县纪委信访室"),
        "custodian": _person(users, ("custodian", COUNTY), username="clean_custodian", display_name="身份保管员"),
        "admin": _person(users, ("admin",), username="cm_admin", display_name="管理员"),
        "edu_handler": _person(users, ("unit_handler", None, w.edu), username="edu_handler", unit_id=w.edu),
        # the roster person 谢祥 is this account: its own display name differs, only the link matches it
        "accused_inspector": _person(users, ("inspector", BAOFENG), username="xiexiang",
                                     display_name="宝丰镇纪委干部", unit_id=w.baofeng_gov),
        "baofeng_gov_handler": _person(users, ("unit_handler", None, w.baofeng_gov), username="baofeng_gov_handler",
                                       unit_id=w.baofeng_gov),
        "director": _person(users, ("unit_handler", None, w.agri), username="agri_director",
                            display_name=w.agri_head, unit_id=w.agri),
        "agri_handler": _person(users, ("unit_handler", None, w.agri), username="agri_handler", unit_id=w.agri),
        "recused": _person(users, ("inspector", COUNTY), username="recused_inspector"),
        "out_of_scope": _person(users, ("inspector", MAJIADU), username="majiadu_inspector"),
        "other_county": _person(users, ("inspector", OTHER_COUNTY), username="zhuxi_inspector"),
        "township_below_level": _person(users, ("inspector", BAOFENG), username="baofeng_inspector"),
        # a custodian who shares the accused's name and works in the accused unit
        "conflicted_custodian": _person(users, ("custodian", COUNTY), username="namesake_custodian",
                                        display_name=ACCUSED_NAME, unit_id=w.agri),
        "resident": _person(users, username="cm_resident", display_name="微信用户"),
        "member": _person(users, username="cm_member", display_name="联系点成员"),
    }
    w.ids = u
    with app.app_context():
        db.session.add(WechatIdentity(openid="o-cm-resident-openid", user_id=u["resident"]))
        cadre = Cadre(village_code=HOME, name=ACCUSED_NAME, post=ACCUSED_POST, duties="主持村党组织全面工作",
                      is_party_member=True, sort_order=0, user_id=u["accused_inspector"])
        db.session.add(cadre)
        db.session.add(Recusal(inspector_id=u["recused"], village_code=HOME, reason="近亲属在该村任职",
                               created_by_id=u["admin"]))
        db.session.commit()
        w.cadre = cadre.id
        w.member_id = _member(u["member"], HOME, "13900003333")
    return w


def with_decoy(client, w, channel, target, n):
    """A report of the matrix and a clean one of the same matter (no target) that the parties may see."""
    phrase = PHRASES[n % len(PHRASES)]
    decoy = submit(client, w, "miniprogram_anonymous", None, f"对照反映{n}", phrase)
    item = submit(client, w, channel, target, f"矩阵{n:02d}号", phrase)
    item.decoy = decoy
    return item


def headers(w, role):
    """Bearer headers of a role (one token per role for the module)."""
    if role not in w.tokens:
        w.tokens[role] = w.users_api.headers(w.ids[role])
    return w.tokens[role]


def target_body(w, channel, target):
    """The `target` a channel sends: pickers (ids) on the H5 form and mini-program, typed words on paper."""
    typed = channel in ("letter", "contact_point")
    if target == "roster_person":
        return {"person_name": ACCUSED_NAME, "person_post": ACCUSED_POST} if typed else {"roster_id": w.cadre}
    if target == "unit":
        return {"unit_id": w.agri}
    return {"person_name": w.agri_head, "person_post": HEAD_POST}


def _upload(client, auth):
    response = client.post("/api/v1/uploads", headers=auth, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(_png()), "photo.png")})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def submit(client, w, channel, target, marker, phrase="村里修路"):
    """File one report through the channel; returns a namespace with id, tracking_no, marker, upload, real_name.
    Reports sharing a `phrase` are each other's best duplicate candidates (GET .../similar)."""
    from app.reports.models import Report

    body = {"village_code": HOME, "kind": "tipoff", "topic": "村级债务", "anonymous": True,
            "content": f"{marker}：{phrase}，{phrase}工程的资金去向不明，请核查。"}
    auth = {}
    if channel == "h5":
        body["channel"] = "h5"
    elif channel == "miniprogram_anonymous":
        auth = headers(w, "resident")  # logged in, and still anonymous
    elif channel == "miniprogram_real_name":
        auth = headers(w, "resident")
        body.update(anonymous=False, reporter={"name": "王明", "phone": "13912345678"})
    elif channel == "letter":
        auth = headers(w, "clean")
        body.update(channel="letter", anonymous=False, reporter={"name": "李华", "phone": "13812345678"})
    elif channel == "contact_point":
        auth = headers(w, "member")
        body.update(kind="contact_point", anonymous=False)
    if target is not None:
        body["target"] = target_body(w, channel, target)
    upload = _upload(client, auth)
    body["attachment_ids"] = [upload]
    response = client.post("/api/v1/reports", json=body, headers=auth)
    assert response.status_code == 201, (channel, target, response.get_json())
    tracking_no = response.get_json()["tracking_no"]
    with w.app.app_context():
        report = db.session.scalar(sa.select(Report).where(Report.tracking_no == tracking_no))
        assert report.channel == ("miniprogram" if channel.startswith(("miniprogram", "contact")) else channel)
        return SimpleNamespace(id=report.id, tracking_no=tracking_no, marker=marker, upload=upload,
                               real_name=not report.anonymous, channel=channel, target=target,
                               receipt=response.get_json()["receipt_code"])


def latest_id(w, model, **where):
    """The newest row id of a model matching the filter."""
    with w.app.app_context():
        return db.session.scalar(sa.select(model.id).filter_by(**where).order_by(model.id.desc()).limit(1))


def status_of(w, report_id):
    """A report's status, read from the database."""
    from app.reports.models import Report

    with w.app.app_context():
        return db.session.get(Report, report_id).status
