"""Codes and Chinese labels of member types, the ten layers (界别) and informant levels (层级)."""

TYPES = {"contact_point": "联系点成员", "informant": "信访情报员"}

# The ten layers of the thousand-person contact-point network, in the order the county's forms list them.
LAYERS = {
    "enterprise": "招商企业",
    "farmer": "农民群众",
    "community": "社区居民",
    "official": "机关干部",
    "sci_edu": "科教人员",
    "self_employed": "个体业主",
    "deputy": "委员代表",
    "retired_cadre": "老干部",
    "non_party": "民主人士",
    "migrant_worker": "外来务工人员",
}

# A member's level is the level of the region he is registered in.
LEVELS = {"county": "县级", "township": "乡镇级", "village": "村级"}
LEVEL_ALIASES = {"县级": "county", "县": "county", "乡镇级": "township", "乡级": "township", "镇级": "township",
                 "乡镇": "township", "村级": "village", "村": "village", "社区": "village"}
TYPE_ALIASES = {"联系点成员": "contact_point", "联系点": "contact_point", "千人联系点成员": "contact_point",
                "千人联系点": "contact_point", "信访情报员": "informant", "情报员": "informant"}

def layer_label(code):
    """The Chinese label of a layer code ('' for none, the code itself when unknown)."""
    if not code:
        return ""
    return LAYERS.get(code, code)


def layer_code(text):
    """A layer code from its code or Chinese label, or None."""
    value = "".join((text or "").split())
    if value in LAYERS:
        return value
    for code, label in LAYERS.items():
        if value == label:
            return code
    return None


def type_code(text):
    """A member type from its code or Chinese label, or None."""
    value = "".join((text or "").split())
    if value in TYPES:
        return value
    return TYPE_ALIASES.get(value)


def level_code(text):
    """An informant level from its code or Chinese label, or None."""
    value = "".join((text or "").split())
    if value in LEVELS:
        return value
    return LEVEL_ALIASES.get(value)
