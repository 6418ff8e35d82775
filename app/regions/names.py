"""Derive display names from the statistics bureau's official names; the hook that checks names against the font."""

import re

from flask import current_app, has_app_context

# Committee suffixes as the bureau's list spells them, full and short forms, longest first; each becomes the
# kind of place it names (社区 or 村), or nothing. Every form here occurs in the Hubei list (tests/regions).
SUFFIXES = (
    ("社区居民委员会", "社区"), ("社区居民委员", "社区"), ("社区居民委会", "社区"), ("社区居委会", "社区"),
    ("社区居委", "社区"), ("社区委员会", "社区"), ("社区委会", "社区"),
    ("村民委员会", "村"), ("村民委员", "村"), ("村民委会", "村"), ("村委会", "村"), ("村委", "村"),
    ("居民委员会", "社区"), ("居民委员", "社区"), ("居民委会", "社区"), ("居民居委会", "社区"), ("居委会", "社区"),
    ("居委", "社区"), ("队委会", "队"), ("委员会", ""), ("委会", ""),
)
COMMITTEE = re.compile(r"(委员会|委员|委会|居委|村委)")
_TRAILING_NOTE = re.compile(r"^(.+?)[（(]([^（）()]+)[）)]$")
KINDS = ("社区", "村")
GLYPH_HOOK = "mss_name_glyph_check"


def display_name(name, level):
    """'罗家坡村委会' -> '罗家坡村', '城关社区居民委员会' -> '城关社区'; other levels unchanged.

    A trailing note in brackets is kept ('朱坊村委会（朱家坊）' -> '朱坊村（朱家坊）') unless it only names the
    kind of place ('乌龙巷居委会（社区）' -> '乌龙巷社区').
    """
    if level != "village":
        return name
    note = _TRAILING_NOTE.match(name)
    if note and COMMITTEE.search(note.group(1)):
        stem, remark = note.group(1), note.group(2).strip()
        if remark in KINDS:
            return _strip(_strip(stem, ""), remark)
        return f"{_strip(stem)}（{remark}）"
    return _strip(name)


def _strip(name, kind=None):
    """Remove one committee suffix; `kind` overrides what it is replaced with."""
    for suffix, replacement in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) and name[: -len(suffix)] not in KINDS:
            stem = name[: -len(suffix)]
            replacement = replacement if kind is None else kind
            # '城关村村民委员会' -> '城关村', not '城关村村'
            return stem if replacement and stem.endswith(replacement) else stem + replacement
    if kind and not name.endswith(kind):
        return name + kind
    return name


def unprintable(text):
    """Characters of text the poster font lacks, by the check the poster domain registers; None when unknown."""
    check = current_app.extensions.get(GLYPH_HOOK) if has_app_context() else None
    return check(text) if check else None
