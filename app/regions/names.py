"""Derive display names from the statistics bureau's official names."""

SUFFIXES = (
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"),
    ("居民委员会", "社区"), ("居民居委会", "社区"), ("居委会", "社区"), ("委员会", ""),
)


def display_name(name, level):
    """'罗家坡村委会' -> '罗家坡村', '城关社区居民委员会' -> '城关社区'; other levels unchanged."""
    if level != "village":
        return name
    for suffix, replacement in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name[: -len(suffix)]
            # '城关村村民委员会' -> '城关村', not '城关村村'
            return stem if replacement and stem.endswith(replacement) else stem + replacement
    return name
