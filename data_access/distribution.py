"""Card distribution as of a cut-off: produced → collected by the district → handed to units →
delivered to members → activated; cards waiting at the district and their age; produced
members for reconciliation with the bank's issued-card list.

Counts per unit come from ``metrics.unit_progress`` (the member's first time at each step);
distribution rate = delivered / produced. Waiting cards come from ``card_wait_count`` per unit
and received time (``summary_more``).
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
from sqlalchemy import Integer, and_, cast, func, select
from sqlalchemy.orm import Session, aliased

from data_access.models import BankResult, CardWaitCount, Member, OrgUnit
from data_access.scope import Scope

STEPS = ("produced", "received", "distributed", "delivered", "activated")
# Upper bounds (days, inclusive) of the waiting-age buckets; the last is open-ended.
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("0-3", 3), ("4-7", 7), ("8-14", 14), ("15-30", 30), ("31+", float("inf")),
)


def pipeline(units: pd.DataFrame) -> pd.DataFrame:
    """Cards at each step (from a ``unit_progress`` frame), with the share of produced cards."""
    values = [int(units[step].sum()) if not units.empty else 0 for step in STEPS]
    produced = values[0]
    return pd.DataFrame({
        "step": list(STEPS),
        "cards": values,
        "share": [v / produced if produced else float("nan") for v in values],
    })


def unit_table(units: pd.DataFrame) -> pd.DataFrame:
    """Per unit: cards at each step, waiting at the district, distribution rate."""
    columns = ["unit_id", "code", "unit_name", "area_name", "district_name", *STEPS]
    if units.empty:
        return pd.DataFrame(columns=[*columns, "waiting_at_district", "distribution_rate"])
    frame = units[columns].copy()
    frame["waiting_at_district"] = frame["received"] - frame["distributed"]
    frame["distribution_rate"] = frame["delivered"] / frame["produced"].where(frame["produced"] > 0)
    return frame.sort_values(["produced", "code"], ascending=[False, True]).reset_index(drop=True)


def waiting_cards(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Cards collected by the district and not yet handed to the unit at the cut-off: one row
    per unit and received time with the number of ``cards`` and how many days they have waited
    (no personal data). A sum over ``card_wait_count`` (units × received times), never over
    members."""
    wc = CardWaitCount
    waiting = (
        select(wc.unit_id, wc.received_at, cast(func.sum(wc.n), Integer).label("cards"))
        .where(wc.campaign_id == campaign_id, wc.at <= cutoff)
        .group_by(wc.unit_id, wc.received_at)
        .having(func.sum(wc.n) > 0)
        .subquery("waiting")
    )
    area = aliased(OrgUnit)
    district = aliased(OrgUnit)
    query = (
        select(
            OrgUnit.id.label("unit_id"),
            OrgUnit.name.label("unit_name"),
            area.name.label("area_name"),
            district.name.label("district_name"),
            waiting.c.received_at,
            waiting.c.cards,
        )
        .select_from(waiting)
        .join(OrgUnit, OrgUnit.id == waiting.c.unit_id)
        .outerjoin(area, area.id == OrgUnit.area_id)
        .outerjoin(district, district.id == OrgUnit.district_id)
        .where(scope.org_filter(OrgUnit))
        .order_by(waiting.c.received_at, OrgUnit.id)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys()))
    frame["cards"] = frame["cards"].astype("int64")
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["days_waiting"] = (pd.Timestamp(cutoff) - frame["received_at"]).dt.total_seconds() / 86400
    frame["age_bucket"] = [age_bucket(days) for days in frame["days_waiting"]]
    return frame


def age_bucket(days: float) -> str:
    """The bucket of a waiting time, by whole days elapsed (the labels say whole days: 3.5
    days is "3 days", in 0–3, not in 4–7).

    >>> age_bucket(0.5), age_bucket(3), age_bucket(3.5), age_bucket(3.99), age_bucket(4), age_bucket(45)
    ('0-3', '0-3', '0-3', '0-3', '4-7', '31+')
    """
    whole = math.floor(days)
    for key, upper in AGE_BUCKETS:
        if whole <= upper:
            return key
    return AGE_BUCKETS[-1][0]


def age_buckets(waiting: pd.DataFrame) -> pd.DataFrame:
    """Waiting cards per age bucket, every bucket present (zero when empty); rows carry a
    ``cards`` count (``waiting_cards``) or are one each (a failure list)."""
    if waiting.empty:
        counts = pd.Series(dtype=int)
    elif "cards" in waiting.columns:
        counts = waiting.groupby("age_bucket")["cards"].sum()
    else:
        counts = waiting["age_bucket"].value_counts()
    return pd.DataFrame({
        "age_bucket": [key for key, _ in AGE_BUCKETS],
        "cards": [int(counts.get(key, 0)) for key, _ in AGE_BUCKETS],
    })


def waiting_by_unit(waiting: pd.DataFrame) -> pd.DataFrame:
    """Per unit: cards waiting at the district and the oldest one's age in days."""
    if waiting.empty:
        return pd.DataFrame(columns=["unit_id", "unit_name", "area_name", "district_name", "cards", "oldest_days"])
    return (
        waiting.groupby(["unit_id", "unit_name", "area_name", "district_name"], as_index=False, dropna=False)
        .agg(cards=("cards", "sum"), oldest_days=("days_waiting", "max"))
        .sort_values("oldest_days", ascending=False)
        .reset_index(drop=True)
    )


def produced_members(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Members whose card was produced by the cut-off, with full ID number and the card's last
    four digits: for reconciliation only. Holds personal data in full: never cache it."""
    latest = (
        select(BankResult.member_id, func.max(BankResult.at).label("at"))
        .where(BankResult.outcome == "produced", BankResult.at <= cutoff)
        .group_by(BankResult.member_id)
        .subquery("lp")
    )
    card = aliased(BankResult)
    query = (
        select(
            Member.id.label("member_id"),
            Member.name,
            Member.id_number,
            Member.phone,
            OrgUnit.name.label("unit_name"),
            card.card_number_masked,
        )
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .outerjoin(latest, latest.c.member_id == Member.id)
        .outerjoin(card, and_(card.member_id == Member.id, card.at == latest.c.at, card.outcome == "produced"))
        .where(Member.campaign_id == campaign_id, scope.org_filter(OrgUnit), Member.produced_at <= cutoff)
        .order_by(Member.id)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys()))
    frame = frame.drop_duplicates("member_id").reset_index(drop=True)
    frame["card_tail"] = frame["card_number_masked"].map(lambda v: v[-4:] if isinstance(v, str) and len(v) >= 4 else "")
    return frame.drop(columns=["card_number_masked"])
