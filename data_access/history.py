"""Member rows are history: never deleted, superseded by a later list or withdrawn. These
conditions pick the rows that are current now, or were current at a cut-off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from data_access.models import Member


def live(member: type[Member] = Member) -> ColumnElement[bool]:
    """SQL: the member row is current (neither superseded by a later list nor withdrawn)."""
    return and_(member.superseded_at.is_(None), member.withdrawn_at.is_(None))


def live_at(cutoff: datetime, member: type[Member] = Member) -> ColumnElement[bool]:
    """SQL: the member row was current at the cut-off (for as-of figures): collected by then
    (a row a correction or move made exists from that time on; ``actions.people``) and
    neither superseded nor withdrawn yet."""
    return and_(
        or_(member.collected_at.is_(None), member.collected_at <= cutoff),
        or_(member.superseded_at.is_(None), member.superseded_at > cutoff),
        or_(member.withdrawn_at.is_(None), member.withdrawn_at > cutoff),
    )
