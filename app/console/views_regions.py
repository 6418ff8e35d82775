"""Admin: the region tree (county → townships → villages), CSV import with row errors, and units."""

from flask import flash, redirect, request, url_for

from app.console import queries
from app.console.access import everywhere, staff
from app.console.blueprint import bp
from app.console.forms import clean, errors_of, validate_form
from app.console.layout import UNIT_KIND_LABELS, render, split_errors
from app.console.nav import NavEntry
from app.errors import BadRequest, DomainError, Unprocessable
from app.extensions import db
from app.regions import service as region_service
from app.regions.importer import import_regions
from app.regions.schemas import UnitSchema, UnitsQuery
from app.security.service import audit

NAV = [
    NavEntry("区划与村庄", "console.regions", "region.manage", "系统管理",
             "浏览县、乡镇、村三级区划，维护村干部名单", 10),
    NavEntry("区划导入", "console.region_import", "region.manage", "系统管理", "上传 CSV 批量导入或更新区划", 20),
    NavEntry("单位管理", "console.units", "region.manage", "系统管理", "职能部门与乡镇政府：承办交办件和预警", 30),
]
PAGE = 50
UNIT_FIELDS = ("name", "kind", "region_code", "head_name", "head_post", "phone")


def _cursor():
    return clean(request.args.get("cursor"))


@bp.route("/admin/regions")
def regions():
    """Children of a region (the roots when none), or villages matching a name."""
    staff("region.manage")
    parent_code, q = clean(request.args.get("parent")), clean(request.args.get("q"))
    parent = region_service.get_region(parent_code) if parent_code else None
    if q:
        page = region_service.list_villages(parent_code, q[:40], PAGE, _cursor())
    else:
        page = region_service.list_children(parent_code, None, PAGE, _cursor())
    chain = []
    node = parent
    while node is not None:
        chain.insert(0, node)
        node = node.parent
    counts = queries.child_counts([r.code for r in page.items])
    args = {k: v for k, v in {"parent": parent_code, "q": q}.items() if v}
    return render("admin/regions.html", parent=parent, chain=chain, page=page, counts=counts, q=q or "", args=args)


@bp.route("/admin/regions/import", methods=["GET", "POST"])
def region_import():
    """Upload a CSV (code,name,level,parent_code): every row is checked first, then all are saved or none."""
    user = everywhere("region.manage", "只有全域管理员可以导入区划")
    if request.method == "GET":
        return render("admin/region_import.html")
    upload = request.files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        return render("admin/region_import.html", status=400, message="请选择要导入的 CSV 文件")
    audit("region.import", user, "region", None, {"file": (upload.filename or "")[:100], "bytes": len(data)})
    try:
        result = import_regions(data)
    except Unprocessable as err:
        db.session.rollback()
        rows = err.fields.get("rows") if isinstance(err.fields, dict) else None
        message = err.message.split("。")[0] + "。" if rows else err.message
        return render("admin/region_import.html", status=422, message=message, rows=rows or [])
    flash(f"导入成功：共 {result['imported']} 条区划，其中更新 {result['updated']} 条。", "success")
    return redirect(url_for("console.regions"))


def _units_page(status=200, form=None, errors=None, message=None):
    user = staff("region.manage")
    query = {k: v for k, v in request.args.items() if k in ("region", "cursor") and v}
    args, query_errors = validate_form(UnitsQuery(), query)
    if query_errors:
        raise BadRequest("区划代码应为 12 位数字", fields=query_errors)
    region = args["region"]
    page = region_service.list_units(user, region, PAGE, args["cursor"])
    errors = errors or {}
    return render("admin/units.html", status=status, page=page, region=region or "",
                  args={"region": region} if region else {}, form=form or {}, errors=errors,
                  general=split_errors(errors, UNIT_FIELDS), message=message,
                  regions=queries.region_choices(), kinds=UNIT_KIND_LABELS)


@bp.route("/admin/units")
def units():
    """Units (departments, township governments), optionally within a region, and the form to add one."""
    return _units_page()


@bp.route("/admin/units", methods=["POST"])
def unit_create():
    """Create a unit in the admin's scope."""
    user = staff("region.manage")
    form = {name: clean(request.form.get(name)) for name in UNIT_FIELDS}
    data, errors = validate_form(UnitSchema(), {k: v for k, v in form.items() if v is not None})
    if errors:
        return _units_page(400, form, errors, "请按提示修改后再提交")
    try:
        unit = region_service.create_unit(user, data)
    except DomainError as err:
        return _units_page(err.status, form, errors_of(err), err.message)
    flash(f"已新建单位：{unit.name}", "success")
    return redirect(url_for("console.units"))
