"""`flask demo networks`: 肇源县's year of the 千人联系点 and 千人情报网, generated through the service layer.

Nothing is written as a total: members come in through the member-list import, letters through the letter entry,
informants' reports through the mini-program's submission, then acceptances, merges, warnings, the units'
answers, outcomes and proposals through the triage services. The figures endpoint then counts what happened.
Staff-recorded dates (postmarks) spread over the year; the rest of the work carries today's time.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources

import sqlalchemy as sa

from app.auth.demo import DEMO_PASSWORD
from app.auth.models import RoleGrant, User, WechatIdentity
from app.auth.passwords import hash_password
from app.contacts import service as contacts
from app.contacts.importer import import_members
from app.contacts.layers import LAYERS
from app.contacts.models import ContactMember
from app.core.timeutil import today_cst
from app.extensions import db
from app.regions.importer import import_regions
from app.regions.models import Region, Unit
from app.reports.models import Report
from app.reports.service import load_submission, submit_report
from app.triage import cases, letters, mailings, outcomes, proposals, warnings
from app.triage import service as triage
from app.triage.network_models import Mailing

COUNTY = "230622000000"
DEPARTMENTS = ("肇源县教育局", "肇源县卫生健康局", "肇源县交通运输局", "肇源县发展和改革局（物价）", "肇源县农业农村局")
TOPICS = ("党务政务村务公开", "农资价格", "村级债务", "土地纠纷", "工程质量", "强农惠农政策落实", "作风问题")
PROBLEMS = ("政务公开不及时", "农资价格偏高", "村级债务底数不清", "土地承包纠纷", "通村路工程质量", "惠农补贴发放迟缓",
            "窗口服务态度差")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶"
GIVEN = "明华建国军平志红强林文海玉秀英兰芳伟刚勇杰涛斌超鹏磊波辉春云霞燕丽娟敏静德福顺发荣贵祥成"


@dataclass(frozen=True)
class Plan:
    """How much of each thing the year holds; the figures endpoint must answer exactly these."""

    members_per_layer: int = 100
    informants: tuple = (248, 8, 4)  # county level, per township, per village or community: 248 + 168 + 584
    forms_per_layer: int = 500
    letters: int = 137
    problems: int = 13
    letters_per_problem: int = 4
    rectified: int = 6
    proposals: int = 7
    informant_reports: int = 265
    reporting_informants: int = 200
    defused: int = 59
    verified: int = 46
    filed: int = 3
    disciplined: tuple = (2, 1)  # party members disciplined, one 处分 outcome each
    petitions: tuple = (412, 206)  # last year, this year: −50 %

    def expected(self):
        """The figures of this plan as the endpoint reports them."""
        layer_letters = [self.letters // len(LAYERS) + (1 if i < self.letters % len(LAYERS) else 0)
                         for i in range(len(LAYERS))]
        return {"forms_mailed": self.forms_per_layer * len(LAYERS), "letters": self.letters,
                "letters_by_layer": dict(zip(LAYERS, layer_letters, strict=True)), "problems": self.problems,
                "units_warned": len(DEPARTMENTS), "problems_rectified": self.rectified, "proposals": self.proposals,
                "informant_reports": self.informant_reports, "defused": self.defused, "verified": self.verified,
                "cases_filed": self.filed, "disciplined": sum(self.disciplined), "petitions": self.petitions[1]}


FULL = Plan()
SMALL = Plan(members_per_layer=3, informants=(5, 1, 0), forms_per_layer=20, letters=14, problems=3,
             letters_per_problem=3, rectified=2, proposals=2, informant_reports=12, reporting_informants=10,
             defused=4, verified=3, filed=1, disciplined=(1,), petitions=(40, 20))


class AlreadyLoaded(Exception):
    """The networks' year is already in this database."""


def _pick(seed, alphabet, count):
    digest = hashlib.sha256(seed.encode()).digest()
    return "".join(alphabet[digest[i] % len(alphabet)] for i in range(count))


def _name(seed):
    return _pick(seed + "s", SURNAMES, 1) + _pick(seed + "g", GIVEN, 2)


def _staff(username, display, role, region=None, unit_id=None, password_hash=None):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display, password_hash=password_hash, unit_id=unit_id,
                    is_demo=True)
        db.session.add(user)
        db.session.flush()
        db.session.add(RoleGrant(user_id=user.id, role=role, region_code=region, unit_id=unit_id))
    return user


def setup_county(echo):
    """Regions (the bundled copy of 肇源县), departments and demo staff; returns (inspector, {unit: handler})."""
    data = resources.files("app.demo").joinpath("data/zhaoyuan-230622.csv").read_bytes()
    result = import_regions(data)
    echo(f"区划：{result['imported']} 条（肇源县）")
    have = {u.name for u in db.session.scalars(sa.select(Unit).where(Unit.region_code == COUNTY))}
    for name in ("肇源县纪委监委", *DEPARTMENTS):
        if name not in have:
            db.session.add(Unit(name=name, kind="commission" if "纪委" in name else "department", region_code=COUNTY))
    db.session.flush()
    secret = hash_password(DEMO_PASSWORD)
    inspector = _staff("zy_inspector", "肇源县纪委监委信访室", "inspector", COUNTY, password_hash=secret)
    handlers = {}
    for index, name in enumerate(DEPARTMENTS):
        unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
        handlers[unit.id] = _staff(f"zy_unit{index + 1}", f"{name}经办人", "unit_handler", None, unit.id, secret)
    db.session.commit()
    return inspector, handlers


def member_list(plan):
    """The CSV the county imports: contact-point members in ten layers and informants at the seed's places."""
    villages = list(db.session.scalars(sa.select(Region.code).where(
        Region.level == "village", Region.code.startswith(COUNTY[:6])).order_by(Region.code)))
    townships = list(db.session.scalars(sa.select(Region.code).where(
        Region.level == "township", Region.parent_code == COUNTY).order_by(Region.code)))
    # phones 1395… and 1385…: apart from the base demo's members (1390000…), so both demos load into one database
    lines, n = ["姓名,类别,界别/层级,所属区划代码,电话"], 0
    for layer in LAYERS.values():
        for i in range(plan.members_per_layer):
            n += 1
            place = villages[(n * 7) % len(villages)] if i % 4 else townships[n % len(townships)]
            lines.append(f"{_name(f'cp{n}')},联系点成员,{layer},{place},1395{n:07d}")
    county, per_township, per_village = plan.informants
    places = [(COUNTY, "县级")] * county + [(t, "乡镇级") for t in townships for _ in range(per_township)] \
        + [(v, "村级") for v in villages for _ in range(per_village)]
    for place, level in places:
        n += 1
        lines.append(f"{_name(f'inf{n}')},信访情报员,{level},{place},1385{n:07d}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _days(start, today, count):
    span = max((today - start).days, 0)
    return [start + timedelta(days=(i * span) // max(count - 1, 1)) for i in range(count)]


def post_letters(plan, inspector, start, today):
    """Enter the letters that came back, spread over the layers and the year; returns the report ids."""
    by_layer = {code: list(db.session.scalars(sa.select(ContactMember).where(
        ContactMember.type == "contact_point", ContactMember.layer == code,
        ContactMember.region_code.startswith(COUNTY[:6])).order_by(ContactMember.id)))
        for code in LAYERS}
    codes, ids = list(LAYERS), []
    for i, day in enumerate(_days(start, today, plan.letters)):
        layer = codes[i % len(codes)]
        member = by_layer[layer][(i // len(codes)) % len(by_layer[layer])]
        problem = PROBLEMS[(i // plan.letters_per_problem) % len(PROBLEMS)]
        data = {"member_id": member.id, "postmarked_on": day, "topic": TOPICS[i % len(TOPICS)],
                "content": f"关于{problem}的情况反馈（第 {i + 1} 封来信）：群众反映较多，请予关注。（演示数据）",
                "form": {"subject": problem, "suggestion": "建议相关部门限期整改并公开结果"}}
        report, _, _ = letters.enter_letter(inspector, data, client_key="demo-networks")
        ids.append(report.id)
    return ids


def work_problems(plan, inspector, handlers, letter_ids, today):
    """Merge letters into problems, warn the five departments, answer, rectify, conclude, propose."""
    merged = plan.problems * plan.letters_per_problem
    problems = []
    for p in range(plan.problems):
        chunk = letter_ids[p * plan.letters_per_problem:(p + 1) * plan.letters_per_problem]
        problems.append(cases.create_case(inspector, chunk, PROBLEMS[p % len(PROBLEMS)] + f"（问题 {p + 1}）"))
    units = list(handlers)
    for k in range(max(plan.problems, len(units))):
        case, unit_id = problems[k % plan.problems], units[k % len(units)]
        warning = warnings.create_warning(inspector, {"unit_id": unit_id, "case_id": case.id, "report_ids": [],
                                                      "content": f"请就“{case.title}”限期整改并反馈",
                                                      "due_date": today + timedelta(days=30)})
        handler = handlers[unit_id]
        warnings.report_rectification(handler, warning.id, "rectifying", "已成立整改专班，正在逐项整改", None)
        if k % plan.problems < plan.rectified:
            warnings.report_rectification(handler, warning.id, "rectified", "已整改完毕并公开结果",
                                          "整改报告及公开栏照片已存档")
    for case in problems[:plan.rectified]:
        cases.conclude_case(inspector, case.id, "经协调相关部门，问题已整改到位")
    for report_id in letter_ids[merged:]:
        report = db.session.get(Report, report_id)
        triage.apply_action(inspector, report, "accept")
        triage.apply_action(inspector, report, "conclude", result="已向有关方面了解并答复反映人", visibility="public")
        db.session.commit()
    for j in range(plan.proposals):
        case = problems[j % plan.problems]
        proposals.create_proposal(inspector, {
            "region_code": COUNTY, "addressee": ("party_committee", "government")[j % 2], "sent_on": today,
            "title": f"关于{case.title}的意见建议", "content": "建议建立长效机制，定期公开办理情况。",
            "case_ids": [case.id]})


def informant_year(plan, inspector):
    """Bind informants' WeChat, file their reports from the mini-program, accept them, record the outcomes."""
    members = list(db.session.scalars(sa.select(ContactMember).where(ContactMember.type == "informant",
                                                                     ContactMember.region_code.startswith(COUNTY[:6]))
                                      .order_by(ContactMember.id).limit(plan.reporting_informants)))
    accounts = []
    for member in members:
        user = User(display_name="微信用户")
        db.session.add(user)
        db.session.flush()
        db.session.add(WechatIdentity(openid=f"demo-zy-informant-{member.id}", user_id=user.id))
        db.session.flush()
        contacts.bind_member(user, member.id)
        accounts.append((user, member))
    db.session.commit()
    reports = []
    for i in range(plan.informant_reports):
        user, member = accounts[i % len(accounts)]
        place = {"village_code": member.region_code} if member.level == "village" \
            else {"region_code": member.region_code}
        data = {"kind": "contact_point", "topic": TOPICS[i % len(TOPICS)], "anonymous": False,
                "channel": "miniprogram",
                "content": f"信访情报员反馈矛盾信息第 {i + 1} 条：有群众酝酿上访，请及早处理。（演示数据）", **place}
        report, _, _ = submit_report(load_submission(data), user=user, client_key=f"demo-informant-{member.id}")
        triage.apply_action(inspector, report, "accept")
        db.session.commit()
        reports.append(report.id)
    today = today_cst()
    kinds = [("defused", {"note": "约谈双方当事人，现场化解，未形成上访"})] * plan.defused
    verdicts = ("substantiated", "partly", "unfounded")
    kinds += [("verified", {"verdict": verdicts[i % 3]}) for i in range(plan.verified)]
    for i, (kind, extra) in enumerate(kinds):
        outcomes.record_for_report(inspector, reports[i], {"kind": kind, "occurred_on": today, **extra})
    verified = reports[plan.defused:plan.defused + plan.verified]
    for i in range(plan.filed):
        outcomes.record_for_report(inspector, verified[i], {"kind": "filed", "occurred_on": today,
                                                            "case_number": f"肇纪立〔{today.year}〕{i + 1}号"})
    for i, party in enumerate(plan.disciplined):
        outcomes.record_for_report(inspector, verified[i], {"kind": "disciplined", "occurred_on": today,
                                                            "persons": party, "party_members": party})


def load(plan=FULL, echo=print):
    """Load the networks' year into this database (refuses a second run); returns the plan's expected figures."""
    if db.session.scalar(sa.select(Mailing.id).where(Mailing.region_code == COUNTY).limit(1)) is not None:
        raise AlreadyLoaded(COUNTY)
    inspector, handlers = setup_county(echo)
    result = import_members(member_list(plan), user=inspector, county=COUNTY, filename="肇源县联系点名单.csv")
    echo(f"成员：{result['imported']} 人（联系点成员与信访情报员）")
    today = today_cst()
    start = date(today.year, 1, 1)
    mailings.record_mailing(inspector, {"region_code": COUNTY, "mailed_on": start, "note": "带邮资专用信封及情况反馈表",
                                        "layers": {code: plan.forms_per_layer for code in LAYERS}})
    for year, volume in zip((today.year - 1, today.year), plan.petitions, strict=True):
        mailings.record_petitions(inspector, {"region_code": COUNTY, "year": year, "volume": volume})
    letter_ids = post_letters(plan, inspector, start, today)
    echo(f"来信：{len(letter_ids)} 封")
    work_problems(plan, inspector, handlers, letter_ids, today)
    informant_year(plan, inspector)
    echo(f"信访情报员反馈：{plan.informant_reports} 条")
    return plan.expected()
