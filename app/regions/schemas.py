"""Region, unit and roster schemas."""

from marshmallow import Schema, fields, validate

from app.core.pagination import PageQuery

PHONE = validate.Regexp(r"^[0-9+\-() ]{5,20}$", error="电话号码格式不正确")


class RegionBrief(Schema):
    """A region's code and names."""

    code = fields.String()
    name = fields.String(attribute="display_name")
    official_name = fields.String(attribute="name")
    level = fields.String()


class VillageSummary(RegionBrief):
    """A village in a list."""

    township = fields.Function(lambda r: RegionBrief().dump(r.parent) if r.parent else None)


class VillagesQuery(PageQuery):
    """Filters of the village list."""

    township = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码"))
    q = fields.String(load_default=None, validate=validate.Length(max=40))


class RegionsQuery(PageQuery):
    """Children of a region."""

    parent = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码"))
    level = fields.String(load_default=None, validate=validate.OneOf(["province", "city", "county", "township",
                                                                       "village"]))


class CadreSchema(Schema):
    """A cadre on a village's public roster."""

    id = fields.Integer(dump_only=True, metadata={"description": "反映时可作为 target.roster_id"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=40))
    post = fields.String(required=True, validate=validate.Length(min=1, max=60))
    duties = fields.String(load_default="", validate=validate.Length(max=500))
    is_party_member = fields.Boolean(load_default=False)
    supervision_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)


class RosterSchema(Schema):
    """A whole roster, replacing the previous one."""

    cadres = fields.List(fields.Nested(CadreSchema), required=True, validate=validate.Length(max=60))


class VillageProfileSchema(Schema):
    """The public profile of a village."""

    code = fields.Function(lambda p: p["village"].code)
    name = fields.Function(lambda p: p["village"].display_name)
    official_name = fields.Function(lambda p: p["village"].name)
    township = fields.Function(lambda p: RegionBrief().dump(p["township"]) if p.get("township") else None)
    county = fields.Function(lambda p: RegionBrief().dump(p["county"]) if p.get("county") else None)
    supervision_phone = fields.Function(lambda p: p["village"].supervision_phone)
    cadres = fields.Function(lambda p: CadreSchema(many=True).dump(p["cadres"]))
    disclosure_counts = fields.Function(lambda p: p.get("disclosure_counts", {}))
    ledger_head = fields.Function(lambda p: p.get("ledger_head"))


class UnitSchema(Schema):
    """A unit (department or township government)."""

    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    kind = fields.String(required=True, validate=validate.OneOf(["department", "township_gov", "commission"]))
    region_code = fields.String(required=True, validate=validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码"))
    head_name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    head_post = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=60))
    phone = fields.String(load_default=None, allow_none=True, validate=PHONE)


class PublicUnitSchema(Schema):
    """A unit a resident may name as the one he reports about (target.unit_id)."""

    id = fields.Integer()
    name = fields.String()
    kind = fields.String()


class CadreLinkSchema(Schema):
    """PUT /admin/cadres/{id}/account."""

    user_id = fields.Integer(required=True, allow_none=True, strict=True, validate=validate.Range(min=1))


class LinkedCadreSchema(CadreSchema):
    """A roster person with the account linked to him."""

    village_code = fields.String()
    user_id = fields.Integer(allow_none=True)


class UnitsQuery(PageQuery):
    """Units within a region subtree."""

    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$", error="应为 12 位区划代码"))


class PrintNameSchema(Schema):
    """PUT /admin/regions/{code}/print-name: what posters print instead of the name (null clears it)."""

    print_name = fields.String(required=True, allow_none=True, validate=validate.Length(max=100))


class PrintNameOut(RegionBrief):
    """A region with its print name and what posters print."""

    print_name = fields.String(allow_none=True)
    poster_name = fields.String()
