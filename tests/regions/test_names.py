"""Display names: every committee suffix of the statistics bureau's list goes, over the whole Hubei file."""

import csv
import gzip
import re
from pathlib import Path

import pytest

from app.regions.names import display_name

HUBEI = Path(__file__).resolve().parents[1] / "fixtures" / "hubei-42-villages.csv.gz"  # code,name of 27,057 villages
# A committee suffix at the end of the name, or just before a trailing note in brackets.
COMMITTEE_END = re.compile(r"(委员会|委员|委会|居委|村委)([（(][^（）()]*[）)])?$")


def hubei_villages():
    """(code, official name) of every village and community in Hubei (统计用区划代码)."""
    with gzip.open(HUBEI, "rt", encoding="utf-8") as fh:
        return [(row["code"], row["name"]) for row in csv.DictReader(fh)]


def test_no_hubei_display_name_ends_in_a_committee_suffix():
    villages = hubei_villages()
    assert len(villages) == 27057
    left = [(code, name, display_name(name, "village")) for code, name in villages
            if COMMITTEE_END.search(display_name(name, "village"))]
    assert left == []


def test_the_check_itself_finds_what_the_old_rules_left():
    """Without the short forms (居委, 委会, 居民委会 ...) the test above lists names: it is not vacuous."""
    old = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"),
           ("居民委员会", "社区"), ("居民居委会", "社区"), ("居委会", "社区"), ("委员会", ""))

    def old_rules(name):
        for suffix, replacement in old:
            if name.endswith(suffix) and len(name) > len(suffix):
                stem = name[: -len(suffix)]
                return stem if replacement and stem.endswith(replacement) else stem + replacement
        return name

    left = {name for _, name in hubei_villages() if COMMITTEE_END.search(old_rules(name))}
    assert {"连山湖社区居民委会", "西王社区委会", "绿景苑社区居委"} <= left


@pytest.mark.parametrize(("name", "shown"), [
    ("连山湖社区居民委会", "连山湖社区"),
    ("西王社区委会", "西王社区"),
    ("绿景苑社区居委", "绿景苑社区"),
    ("体育场社区居民委员", "体育场社区"),
    ("纳水村民委员", "纳水村"),
    ("业新村村民委员", "业新村"),
    ("潘台队委会", "潘台队"),
    ("乌龙巷居委会（社区）", "乌龙巷社区"),
    ("朱坊村委会（朱家坊）", "朱坊村（朱家坊）"),
    ("卢湾村委会（长阳社区）", "卢湾村（长阳社区）"),
    ("罗家坡村委会", "罗家坡村"),
    ("城关村村民委员会", "城关村"),
    ("城关社区居民委员会", "城关社区"),
    ("村委会", "村委会"),
    ("莫𡐓村民委员会", "莫𡐓村"),
])
def test_short_forms_and_notes(name, shown):
    assert display_name(name, "village") == shown
