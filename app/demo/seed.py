"""Idempotent demo data: 竹山县 with its real region codes, units, rosters and demo accounts."""

import hashlib
from importlib import resources

import sqlalchemy as sa

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import RoleGrant, User
from app.auth.passwords import hash_password, verify_password
from app.extensions import db
from app.regions.importer import import_regions
from app.regions.models import Cadre, Region, Unit

COUNTY = "420323000000"
BAOFENG, LONGJING = "420323103000", "420323103211"
MAJIADU, LUOJIAPO = "420323102000", "420323102203"
DEPARTMENTS = [
    ("竹山县纪委监委", "commission"), ("竹山县教育局", "department"), ("竹山县卫生健康局", "department"),
    ("竹山县交通运输局", "department"), ("竹山县发展和改革局（物价）", "department"),
    ("竹山县农业农村局", "department"), ("竹山县民政局", "department"), ("竹山县自然资源和规划局", "department"),
]
SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    ""
)
GIVEN = "明华建国军平志红强林文海玉秀英兰芳军伟刚勇杰涛斌超鹏磊波辉春云霞燕丽娟敏静德福顺发荣贵祥成"
POSTS = [
    ("村党支部书记、村委会主任", "主持村党组织和村委会全面工作，负责重大事项“四议两公开”", True),
    ("村务监督委员会主任", "监督村务公开、财务收支和“三资”管理，审核公开内容", True),
    ("村委会委员（文书）", "负责村务公开栏更新、档案管理和便民服务代办", True),
    ("村报账员", "负责村级财务收支报账、票据审核和财务公开资料整理", False),
    ("村妇联主席", "负责妇女儿童工作、低保和救助对象走访", False),
]
ACCOUNTS = [
    ("admin", "系统管理员", "admin", None, None),
    ("publisher_longjing", "龙井村公开员", "publisher", LONGJING, None),
    ("reviewer_longjing", "龙井村监委会", "reviewer", LONGJING, None),
    ("publisher_luojiapo", "罗家坡村公开员", "publisher", LUOJIAPO, None),
    ("reviewer_luojiapo", "罗家坡村监委会", "reviewer", LUOJIAPO, None),
    ("inspector", "县纪委监委信访室", "inspector", COUNTY, None),
    ("inspector_baofeng", "宝丰镇纪委", "inspector", BAOFENG, None),
    ("custodian", "县纪委监委身份保管员", "custodian", COUNTY, None),
    ("unit_handler", "县农业农村局经办人", "unit_handler", None, "竹山县农业农村局"),
]


def _pick(seed, alphabet, count):
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[digest[i] % len(alphabet)] for i in range(count))


def _person(seed):
    return _pick(seed + "s", SURNAMES, 1) + _pick(seed + "g", GIVEN, 1 + hashlib.sha256(seed.encode()).digest()[9] % 2)


def seed_regions():
    """Load the county tree from the bundled CSV (idempotent upsert)."""
    data = resources.files("app.demo").joinpath("data/zhushan-420323.csv").read_bytes()
    return import_regions(data)


def seed_units():
    """County departments and one government per township."""
    wanted = [(name, kind, COUNTY) for name, kind in DEPARTMENTS]
    townships = db.session.scalars(sa.select(Region).where(Region.parent_code == COUNTY).order_by(Region.code))
    wanted += [(f"{t.name}人民政府", "township_gov", t.code) for t in townships]
    have = {(u.region_code, u.name) for u in db.session.scalars(sa.select(Unit))}
    for name, kind, region in wanted:
        if (region, name) not in have:
            db.session.add(Unit(name=name, kind=kind, region_code=region, head_name=_person(name),
                                head_post="局长" if kind == "department" else "镇（乡）长",
                                phone="0719-42" + _pick(name, "0123456789", 5)))
    db.session.commit()


def seed_rosters():
    """A public cadre roster for every village that has none."""
    villages = db.session.scalars(sa.select(Region).where(Region.level == "village", Region.code.startswith("420323")))
    with_roster = set(db.session.scalars(sa.select(Cadre.village_code).distinct()))
    for village in villages:
        if not village.supervision_phone:
            village.supervision_phone = "0719-42" + _pick(village.code + "p", "0123456789", 5)
        if village.code in with_roster:
            continue
        for order, (post, duties, party) in enumerate(POSTS):
            db.session.add(Cadre(village_code=village.code, name=_person(village.code + post), post=post,
                                 duties=duties, is_party_member=party, sort_order=order,
                                 supervision_phone="1" + _pick(village.code + post, "3578", 1)
                                 + _pick(village.code + post + "m", "0123456789", 9)))
    db.session.commit()


def seed_accounts():
    """One demo account per staff role (development password in README), marked `is_demo`; granted directly."""
    units = {u.name: u.id for u in db.session.scalars(sa.select(Unit))}
    for username, name, role, region, unit_name in ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(username=username, display_name=name, password_hash=hash_password(DEMO_PASSWORD))
            db.session.add(user)
            db.session.flush()
            user.is_demo = True  # refused at login and at start-up in production
        elif not user.is_demo and verify_password(user.password_hash, DEMO_PASSWORD):
            user.is_demo = True  # seeded before the marker existed
        unit_id = units.get(unit_name) if unit_name else None
        if unit_id:
            user.unit_id = unit_id
        if not any(g.role == role for g in user.grants):
            db.session.add(RoleGrant(user_id=user.id, role=role, region_code=region, unit_id=unit_id))
    db.session.commit()


def seed_all(app, echo=print):
    """Run every seeder: the base county, then what other domains register."""
    result = seed_regions()
    echo(f"区划：{result['imported']} 条")
    seed_units()
    seed_rosters()
    seed_accounts()
    echo(f"演示账号：{len(ACCOUNTS)} 个，开发环境密码 {DEMO_PASSWORD}")
    for seeder in app.extensions.get("mss_demo_seeders", []):
        seeder(echo)
