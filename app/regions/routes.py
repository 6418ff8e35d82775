"""Public region endpoints, units and rosters."""

from app.core.api import ApiBlueprint
from app.regions import schemas, service

bp = ApiBlueprint("regions", __name__, tag="区划与村庄")


@bp.op("/villages", summary="村（社区）列表", query=schemas.VillagesQuery(), response=schemas.VillageSummary(),
       paginated=True)
def villages(args):
    """List villages."""
    return service.list_villages(args["township"], args["q"], args["limit"], args["cursor"])


@bp.op("/villages/<code>", summary="村（社区）概况", response=schemas.VillageProfileSchema(), errors=(404,),
       public_cache=True)
def village(code):
    """A village's public profile."""
    return service.village_profile(code)


@bp.op("/regions", summary="下级区划", query=schemas.RegionsQuery(), response=schemas.RegionBrief(), paginated=True)
def regions(args):
    """List child regions of a parent (or the roots)."""
    return service.list_children(args["parent"], args["level"], args["limit"], args["cursor"])


@bp.op("/villages/<code>/roster", "PUT", summary="更新村干部公示名单", body=schemas.RosterSchema(),
       response=schemas.CadreSchema(many=True), auth="required", errors=(403, 404))
def replace_roster(user, code, data):
    """Replace a village's cadre roster."""
    return service.replace_roster(user, code, data["cadres"])


@bp.op("/villages/<code>/units", summary="可反映的单位（本县部门与本乡镇政府）",
       response=schemas.PublicUnitSchema(many=True), errors=(404,))
def village_units(code):
    """Active units a resident of this village may name in a report."""
    return service.public_units(code)


@bp.op("/admin/cadres/<int:cadre_id>/account", "PUT", summary="将公示人员关联到工作人员账号（利益冲突识别）",
       body=schemas.CadreLinkSchema(), response=schemas.LinkedCadreSchema(), auth="required", errors=(400, 403, 404))
def link_cadre(user, cadre_id, data):
    """Link a roster person to an account, so reports naming him never reach that account."""
    return service.link_cadre(user, cadre_id, data["user_id"])


@bp.op("/units", summary="单位列表", query=schemas.UnitsQuery(), response=schemas.UnitSchema(), paginated=True,
       auth="required", errors=(403,))
def units(user, args):
    """List units (staff only)."""
    return service.list_units(user, args["region"], args["limit"], args["cursor"])


@bp.op("/admin/units", "POST", summary="新建单位", body=schemas.UnitSchema(), response=schemas.UnitSchema(),
       status=201, auth="required", errors=(403, 404))
def create_unit(user, data):
    """Create a unit."""
    return service.create_unit(user, data)


@bp.op("/admin/regions/<code>/print-name", "PUT", summary="设置海报打印名称（字体缺字时）",
       body=schemas.PrintNameSchema(), response=schemas.PrintNameOut(), auth="required", errors=(403, 404, 422))
def set_print_name(user, code, data):
    """Give a region the name its posters print, e.g. with a replacement for a character the font lacks."""
    return service.set_print_name(user, code, data["print_name"])
