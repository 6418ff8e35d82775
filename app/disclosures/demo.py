"""Demo disclosures for 龙井村 and 罗家坡村, published through the disclosure service (idempotent).

Each village gets last month's finance ledger (30 lines), its list of small and micro powers (6 items with step
flows), this year's 耕地地力保护补贴 recipients (15, with valid-checksum fictional ID numbers), last quarter's
affairs and party disclosures, and one correction (a subsidy amount) so the version history shows.
"""

import copy
import json
from importlib import resources

import sqlalchemy as sa

from app.auth.models import User
from app.core.timeutil import today_cst
from app.disclosures import service
from app.disclosures.models import Disclosure
from app.disclosures.periods import month_period, previous_period, quarter_period
from app.extensions import db
from app.regions.models import Region

VILLAGES = (("420323103211", "publisher_longjing", "reviewer_longjing"),
            ("420323102203", "publisher_luojiapo", "reviewer_luojiapo"))


def _data():
    return json.loads(resources.files("app.disclosures").joinpath("demo_disclosures.json").read_text(encoding="utf-8"))


def _fill(value, names):
    """Replace {village}, {township}, {year}, {quarter}, {phone} in every string of a JSON value."""
    if isinstance(value, str):
        for key, text in names.items():
            value = value.replace("{" + key + "}", text)
        return value
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


def _plan(data, names, today):
    """[(kind, period, title, content)] for one village, dated relative to today."""
    month = previous_period(month_period(today.year, today.month))
    quarter = previous_period(quarter_period(today.year, (today.month - 1) // 3 + 1))
    finance = copy.deepcopy(data["finance"])
    last_day = month.end.day
    for line in finance["lines"]:
        line["date"] = month.start.replace(day=min(line.pop("day"), last_day)).isoformat()
    funds = {key: value for key, value in data["funds"].items() if key != "correction"}
    names = {**names, "year": str(today.year), "quarter": quarter.display}
    affairs, party = _fill(data["affairs"], names), _fill(data["party"], names)
    return [
        ("finance", month.label, f"{names['village']}{month.display}财务收支公开", _fill(finance, names)),
        ("power", str(today.year), f"{names['village']}小微权力清单（{today.year}年版）", _fill(data["power"], names)),
        ("funds", str(today.year), f"{names['village']}{today.year}年耕地地力保护补贴发放公示", _fill(funds, names)),
        ("affairs", quarter.label, affairs.pop("title"), affairs),
        ("party", quarter.label, party.pop("title"), party),
    ]


def _drive(disclosure, publisher, reviewer):
    """Carry a disclosure's newest version through whatever review steps remain, up to publication."""
    state = disclosure.latest.state
    if state in ("draft", "rejected"):
        service.submit(publisher, disclosure.id)
        state = "submitted"
    if state == "submitted":
        service.approve(reviewer, disclosure.id, "已核对，同意公开")
        state = "approved"
    if state == "approved":
        service.publish(publisher, disclosure.id)


def _user(username):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise RuntimeError(f"demo account {username} is missing: run the base demo seed first")
    return user


def seed_village(code, publisher, reviewer, data, today):
    """Publish one village's demo disclosures; returns how many were created."""
    village = db.session.get(Region, code)
    names = {"village": village.display_name, "township": village.parent.display_name,
             "phone": village.supervision_phone or "0719-4200000"}
    created = 0
    for kind, period, title, content in _plan(data, names, today):
        stmt = sa.select(Disclosure).where(Disclosure.village_code == code, Disclosure.kind == kind,
                                           Disclosure.period == period)
        disclosure = db.session.scalar(stmt)
        if disclosure is None:
            disclosure = service.create_disclosure(publisher, {"village_code": code, "kind": kind, "period": period,
                                                               "title": title, "content": content})
            created += 1
        _drive(disclosure, publisher, reviewer)
        if kind == "funds" and disclosure.current_version_no == 1 and disclosure.latest.number == 1:
            fix = data["funds"]["correction"]
            corrected = copy.deepcopy(disclosure.current.content)
            corrected["recipients"][fix["index"]]["amount_fen"] = fix["amount_fen"]
            service.correct(publisher, disclosure.id, {"content": corrected, "reason": fix["reason"]})
        if kind == "funds":
            _drive(disclosure, publisher, reviewer)
    return created


def seed_disclosures(echo=print):
    """Publish the demo disclosures of both demo villages (safe to run again)."""
    data, today = _data(), today_cst()
    total = 0
    for code, publisher, reviewer in VILLAGES:
        total += seed_village(code, _user(publisher), _user(reviewer), data, today)
    echo(f"演示公开内容：新增 {total} 项（龙井村、罗家坡村各 5 类，含 1 次更正）")
