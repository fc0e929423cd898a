"""Cached loaders: every DataFrame a page draws comes through here, keyed by scope.

Cached values never hold unmasked personal data, and the scope (or the masking choice) is
always part of the key, since ``st.cache_data`` is shared by all users.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st
from sqlalchemy import Engine, select

from campaign.i18n import t
from data_access import metrics
from data_access.db import database_url, get_engine, migrate, read_session
from data_access.models import Campaign, OrgUnit
from data_access.scope import Scope, scope_for

TTL = 60


def engine() -> Engine:
    """The process-wide engine for DATABASE_URL (or the embedded SQLite file)."""
    return _engine_for(database_url())


@st.cache_resource
def _engine_for(url: str) -> Engine:
    return get_engine(url)


def ensure_schema() -> bool:
    """Create or upgrade the schema once per process and database."""
    return _schema_for(database_url())


@st.cache_resource
def _schema_for(url: str) -> bool:
    migrate(_engine_for(url))
    return True


def clear() -> None:
    """Forget cached figures after a write, so the next run shows it."""
    st.cache_data.clear()


@st.cache_data(ttl=TTL, show_spinner=False)
def campaigns() -> pd.DataFrame:
    """Campaigns, newest first."""
    with read_session(engine()) as session:
        rows = session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.id.desc())).all()
    return pd.DataFrame(rows, columns=["id", "name"])


@st.cache_data(ttl=TTL, show_spinner=False)
def org_options(scope: Scope) -> pd.DataFrame:
    """Districts, areas and units inside a scope, for the filters (retired nodes left out).
    Only group levels can be added to the tree, so these built-in codes name their kinds."""
    query = (
        select(OrgUnit.id, OrgUnit.name, OrgUnit.level, OrgUnit.district_id, OrgUnit.area_id)
        .where(OrgUnit.level.in_(("district", "area", "unit")), OrgUnit.retired_at.is_(None), scope.org_filter(OrgUnit))
        .order_by(OrgUnit.code)
    )
    with read_session(engine()) as session:  # over Arrow: a city's 50,000 rows as columns
        return metrics.rows_frame(session, query, ["id", "name", "level", "district_id", "area_id"])


@st.cache_data(ttl=TTL, show_spinner=False)
def scope_of(org_id: int) -> Scope:
    """The subtree rooted at an org unit."""
    with read_session(engine()) as session:
        return scope_for(session, org_id)


def scope_name(scope: Scope, lang: str) -> str:
    """A person's word for a scope: the org unit's name, or 'all'."""
    if scope.root_id is None:
        return t("filter.all", lang)
    with read_session(engine()) as session:
        org = session.get(OrgUnit, scope.root_id)
        return org.name if org else ""


@st.cache_data(ttl=TTL, show_spinner=False)
def unit_progress(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """One row per unit with its deadline, status and member counts."""
    with read_session(engine()) as session:
        return metrics.unit_progress(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def headline(scope: Scope, campaign_id: int, cutoff: datetime) -> metrics.Headline:
    """The headline figures at a cut-off, counted from a narrow per-unit query (the overview asks
    for three cut-offs; only the current one's whole frame is drawn) and the bank's result counts."""
    with read_session(engine()) as session:
        return metrics.headline(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def bank_results_received(scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    """(results received, produced) by the cut-off: with a unit_progress frame already loaded,
    ``metrics.headline_of`` gives the headline without reading the units again."""
    with read_session(engine()) as session:
        return metrics.bank_results_received(session, scope, campaign_id, cutoff)


def headline_of_units(units: pd.DataFrame, scope: Scope, campaign_id: int, cutoff: datetime) -> metrics.Headline:
    """The headline at the cut-off of a loaded unit_progress frame (the same figures as
    ``headline``, which reads a narrow frame of its own)."""
    return metrics.headline_of(units, *bank_results_received(scope, campaign_id, cutoff))


@st.cache_data(ttl=TTL, show_spinner=False)
def deadlines(scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Deadlines that apply inside the scope."""
    with read_session(engine()) as session:
        return metrics.deadlines_in_scope(session, scope, campaign_id)
