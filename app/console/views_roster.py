"""The village cadre roster (挂牌亮户): choose a village in scope, then edit its whole roster at once."""

import sqlalchemy as sa
from flask import flash, redirect, request, url_for

from app.auth.current import current_user
from app.auth.models import User
from app.console import queries
from app.console.access import staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, row_errors, rows, validate_form
from app.console.layout import render, split_errors
from app.console.nav import NavEntry
from app.core.permissions import can
from app.errors import DomainError, NotFound
from app.extensions import db
from app.regions import service as region_service
from app.regions.models import Cadre
from app.regions.schemas import RosterSchema

NAV = [NavEntry("村干部名单", "console.rosters", "roster.edit", "公开与审核",
                "维护村干部公示名单：岗位、职责、监督电话", 40)]
CADRE_FIELDS = ("name", "post", "duties", "is_party_member", "supervision_phone", "remove")
BLANK_ROWS = 3


@bp.route("/roster")
def rosters():
    """The villages whose roster this account may edit."""
    user = staff("roster.edit")
    q = clean(request.args.get("q"))
    page = queries.villages_in_scope(user, "roster.edit", q[:40] if q else None, 50, clean(request.args.get("cursor")))
    return render("roster_index.html", page=page, q=q or "", args={"q": q} if q else {})


def _row_of(cadre):
    return {"name": cadre.name, "post": cadre.post, "duties": cadre.duties, "supervision_phone":
            cadre.supervision_phone or "", "is_party_member": cadre.is_party_member}


def _roster_page(village, lines, status=200, errors=None, message=None, link_errors=None):
    errors = {**row_errors(errors, "cadres", "cadre"), **(link_errors or {})}
    placed = {f"cadre-{i}-{name}" for i in range(len(lines)) for name in CADRE_FIELDS}
    placed |= {f"link-{c.id}" for c in village.cadres}
    lines = lines + [{} for _ in range(BLANK_ROWS)]
    user_ids = {c.user_id for c in village.cadres if c.user_id}
    linked = dict(db.session.execute(sa.select(User.id, User.username).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    return render("roster.html", status=status, village=village, lines=lines, errors=errors,
                  general=split_errors(errors, placed), message=message, linked=linked,
                  may_link=can(current_user(), "account.manage", region_code=village.code),
                  township=region_service.ancestors(village).get("township"))


@bp.route("/villages/<code>/roster")
def roster(code):
    """The roster editor: every line editable, blank lines to add, a box to remove a line."""
    village = region_service.get_region(code, "village")
    staff("roster.edit", region_code=village.code)
    return _roster_page(village, [_row_of(c) for c in village.cadres])


@bp.route("/villages/<code>/roster/<int:cadre_id>/account", methods=["POST"])
def roster_link(code, cadre_id):
    """Link a roster person to a staff account by username (blank unlinks); admins only, audited."""
    village = region_service.get_region(code, "village")
    user = staff("account.manage", region_code=village.code)
    username = clean(request.form.get("username"))
    account = db.session.scalar(sa.select(User).where(User.username == username)) if username else None
    if username and account is None:
        return _roster_page(village, [_row_of(c) for c in village.cadres], 400, message="未找到该用户名的账号",
                            link_errors={f"link-{cadre_id}": ["未找到该用户名的账号"]})
    cadre = db.session.get(Cadre, cadre_id)
    if cadre is None or cadre.village_code != village.code:
        raise NotFound("未找到该公示人员", code="cadre_not_found")
    region_service.link_cadre(user, cadre_id, account.id if account else None)
    flash(f"已将{cadre.name}关联到账号 {username}。" if account else f"已取消{cadre.name}的账号关联。", "success")
    return redirect(url_for("console.roster", code=village.code) + "#links")


@bp.route("/villages/<code>/roster", methods=["POST"])
def roster_save(code):
    """Replace the roster with the submitted lines (blank or removed lines are dropped)."""
    village = region_service.get_region(code, "village")
    user = staff("roster.edit", region_code=village.code)
    lines = []
    for _, raw in rows(request.form, "cadre", CADRE_FIELDS):
        line = {name: clean(raw.get(name)) for name in ("name", "post", "duties", "supervision_phone")}
        line["is_party_member"] = raw.get("is_party_member") == "1"
        if raw.get("remove") == "1" or not any(line[name] for name in ("name", "post", "duties",
                                                                         "supervision_phone")):
            continue
        lines.append(line)
    payload = [{k: v for k, v in line.items() if v is not None} for line in lines]
    data, errors = validate_form(RosterSchema(), {"cadres": payload})
    if errors:
        return _roster_page(village, lines, 400, errors, "请按提示修改标红的行后再保存")
    try:
        region_service.replace_roster(user, village.code, data["cadres"])
    except DomainError as err:
        return _roster_page(village, lines, err.status, errors_of(err), err.message)
    flash(f"{village.display_name}的村干部名单已保存，共 {len(data['cadres'])} 人。", "success")
    return redirect(url_for("console.roster", code=village.code))
