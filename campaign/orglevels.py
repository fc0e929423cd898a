"""The levels of the organisation tree, as data.

A level has a code (stored on ``org_unit.level``), a Chinese name, a rank (its depth order)
and a kind. The kind says what nodes of the level do; any number of ``group`` levels may sit
above the districts (city, new area, ...). The seed's chain is city → new area → district,
bureau or group (区县局、集团) → liaison area (片区) → unit → workshop.
"""

from __future__ import annotations

from typing import Final

KINDS: Final = ("group", "district", "area", "unit", "sub_unit")
# The order kinds take down any path of the tree (group levels may repeat).
KIND_ORDER: Final = {kind: index for index, kind in enumerate(KINDS)}

# (code, name, kind, rank): seeded by migration 0005 and re-seeded after a wipe.
BUILT_IN_LEVELS: Final = (
    ("city", "市总工会", "group", 10),
    ("new_area", "新区总工会", "group", 20),
    ("district", "区县局、集团", "district", 30),
    ("area", "片区", "area", 40),
    ("unit", "基层单位", "unit", 50),
    ("sub_unit", "车间", "sub_unit", 60),
)
