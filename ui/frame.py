"""The page frame every page starts with: page config, sign-in gate, menu, URL-bound filters.

We never call ``st.navigation``: the automatic menu is hidden in .streamlit/config.toml and
this frame draws its own with ``st.page_link``, so a deep link opened first after a restart
still runs the whole frame (see DESIGN.md, "Pages and navigation: a known trap").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from campaign.i18n import t as translate
from campaign.timeutil import format_local, local_day_end_utc, now_utc, today_local
from data_access.auth import MAX_FAILED_SIGN_INS, CurrentUser, load_user, record_sign_out, session_current, sign_in
from data_access.db import read_session
from data_access.errors import DatabaseBusy
from data_access.scope import Scope
from ui import loaders, loaders_org
from ui.safe_text import md

ROOT = Path(__file__).resolve().parent.parent

# (key, file relative to the project root, icon). Only files that exist are linked.
PAGES: tuple[tuple[str, str, str], ...] = (
    ("overview", "dashboard.py", ":material/dashboard:"),
    ("intake", "pages/1_intake.py", ":material/upload_file:"),
    ("submit", "pages/7_submit.py", ":material/send:"),
    ("review", "pages/8_review.py", ":material/fact_check:"),
    ("submissions", "pages/2_submissions.py", ":material/event_available:"),
    ("chase", "pages/14_chase.py", ":material/phone_in_talk:"),
    ("validation", "pages/3_validation.py", ":material/rule:"),
    ("batches", "pages/9_batches.py", ":material/outbox:"),
    ("bank", "pages/4_bank.py", ":material/account_balance:"),
    ("corrections", "pages/10_corrections.py", ":material/build:"),
    ("cards", "pages/11_cards.py", ":material/inventory_2:"),
    ("distribution", "pages/5_distribution.py", ":material/credit_card:"),
    ("timeline", "pages/12_timeline.py", ":material/history:"),
    ("reports", "pages/6_reports.py", ":material/summarize:"),
    ("people", "pages/13_people.py", ":material/person_edit:"),
    ("account", "pages/24_account.py", ":material/key:"),
    ("campaign_settings", "pages/20_campaign_settings.py", ":material/settings:"),
    ("org", "pages/21_org.py", ":material/account_tree:"),
    ("users", "pages/22_users.py", ":material/group:"),
    ("audit", "pages/23_audit.py", ":material/policy:"),
)
# Pages only some roles see in the menu (the page and its actions check the role again).
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "people": ("admin", "district_leader"),
    "chase": ("admin", "district_leader", "liaison"),
    "campaign_settings": ("admin",),
    "org": ("admin",),
    "users": ("admin",),
    "audit": ("admin",),
}
# Pages that work before any campaign exists (setting one up).
SETUP_PAGES = frozenset({"account", "campaign_settings", "org", "users", "audit"})
FILTER_KEYS = ("campaign", "district", "area", "unit", "as_of", "lang")
SESSION_USER = "user_login"
SESSION_VERSION = "user_session_version"  # the account's session_version at sign-in
SESSION_ENDED = "user_session_ended"  # the last session was ended by a change to the account


@dataclass(frozen=True)
class PageContext:
    """What a page needs: who asks, in which language, about which part of which campaign."""

    page: str
    lang: str
    user: CurrentUser
    campaign_id: int
    campaign_name: str
    scope: Scope
    scope_label: str
    district_id: int | None
    area_id: int | None
    unit_id: int | None
    as_of: date
    cutoff: datetime
    engine: Engine
    link_params: dict[str, str]

    def t(self, key: str, **fields: object) -> str:
        return translate(key, self.lang, **fields)

    @property
    def is_today(self) -> bool:
        return self.as_of >= today_local()


def _language() -> str:
    """The language switch's value (its widget state, else the URL on a first run)."""
    lang = st.session_state.get("lang") or st.query_params.get("lang", "zh")
    return lang if lang in ("zh", "en") else "zh"


@contextmanager
def busy_guard(lang: str) -> Iterator[None]:
    """Around a write: a database too busy to take it shows the Chinese advice and stops the run
    (the write was rolled back, nothing half-saved) instead of "database is locked"."""
    try:
        yield
    except DatabaseBusy as error:
        st.error(error.message(lang), icon=":material/hourglass_top:")
        st.stop()


def _forget_session() -> None:
    """Drop everything this session held (only this session's keys; the shared caches hold
    nothing scoped to one user). The language choice stays."""
    for key in list(st.session_state.keys()):
        if key != "lang":
            del st.session_state[key]


def _sign_out(login: str, lang: str) -> None:
    """Audit the sign-out and forget everything this session held."""
    with busy_guard(lang):
        record_sign_out(loaders.engine(), login)
    _forget_session()
    st.rerun()


def _sign_in(lang: str) -> CurrentUser:
    """Return the signed-in user (re-read every run) or draw the sign-in form and stop.

    The account's ``session_version`` seen at sign-in is kept in the session; once the row
    holds another (disabled, role or scope changed, password reset or changed elsewhere) the
    session is forgotten and the form shows why. A session holding a login but no version
    (signed in before versions existed) takes the current one.
    """
    engine = loaders.engine()
    login = st.session_state.get(SESSION_USER)
    if login:
        with read_session(engine) as session:
            user = load_user(session, login)
        if user is not None and st.session_state.get(SESSION_VERSION) is None:
            st.session_state[SESSION_VERSION] = user.session_version
        if session_current(user, st.session_state.get(SESSION_VERSION)):
            return user  # type: ignore[return-value]
        _forget_session()
        st.session_state[SESSION_ENDED] = True
    st.title(translate("app.title", lang))
    st.caption(translate("auth.prompt", lang))
    if st.session_state.get(SESSION_ENDED):
        st.warning(translate("auth.session_changed", lang), icon=":material/logout:")
    with st.form("sign_in", width=420):
        login_input = st.text_input(translate("auth.login", lang), key="sign_in_login")
        password = st.text_input(translate("auth.password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(translate("auth.sign_in", lang), type="primary")
    if submitted:
        with busy_guard(lang):
            result = sign_in(engine, login_input, password)
        if result.locked_until is not None:
            until = format_local(result.locked_until)
            st.error(translate("auth.locked", lang, attempts=MAX_FAILED_SIGN_INS, until=until))
        elif result.user is None:
            st.error(translate("auth.failed", lang))
        else:
            st.session_state.pop("sign_in_password", None)
            st.session_state.pop(SESSION_ENDED, None)
            st.session_state[SESSION_USER] = result.user.login
            st.session_state[SESSION_VERSION] = result.user.session_version
            st.rerun()
    st.stop()
    raise AssertionError("unreachable")


def _menu(lang: str, link_params: dict[str, str], box: object = None, role: str | None = None, only: frozenset[str] | None = None) -> None:
    with box or st.sidebar:  # type: ignore[attr-defined]
        st.markdown(f"### {translate('app.title', lang)}")
        for key, path, icon in PAGES:
            if role is not None and role not in PAGE_ROLES.get(key, (role,)):
                continue
            if only is not None and key not in only:
                continue
            if (ROOT / path).exists():
                st.page_link(path, label=translate(f"nav.{key}", lang), icon=icon, query_params=link_params or None)


def _select_org(label: str, key: str, options: list[tuple[int, str]], lang: str) -> int | None:
    """A URL-bound choice among org units; with one option there is nothing to choose."""
    if len(options) <= 1:
        return options[0][0] if options else None
    names = {org_id: name for org_id, name in options}
    return st.sidebar.selectbox(
        label,
        [None, *names],
        format_func=lambda org_id: translate("filter.all", lang) if org_id is None else names[org_id],
        key=key,
        bind="query-params",
    )


def unit_link(page: str, unit_id: int) -> str:
    """A link to a page for one unit (tables use it, e.g. the unit's timeline): ``timeline?unit_id=17``."""
    return f"{page}?unit_id={int(unit_id)}"


def _follow_unit_link(orgs: object) -> None:
    """Turn ``?unit_id=<id>`` (a link from a table) into the sidebar's unit filter, which the
    URL carries by name, when the unit lies in the user's scope (``orgs`` holds only those)."""
    linked = st.query_params.get("unit_id")
    if linked is None:
        return
    del st.query_params["unit_id"]
    rows = orgs[(orgs["level"] == "unit") & (orgs["id"].astype(str) == str(linked))]  # type: ignore[index]
    if rows.empty:
        return
    for key in ("district", "area"):  # "all", so the unit is among the choices
        st.query_params.pop(key, None)
        st.session_state[key] = None
    st.session_state["unit"] = int(rows.iloc[0]["id"])


def _signed_in_box(user: CurrentUser, lang: str) -> None:
    with st.sidebar:
        st.caption(translate("auth.signed_in_as", lang, name=md(user.display_name), role=translate(f"role.{user.role}", lang)))
        if st.button(translate("auth.sign_out", lang), key="sign_out"):
            _sign_out(user.login, lang)


@dataclass(frozen=True)
class SetupContext:
    """What a setup page (campaign settings, tree, users, audit, own account) needs: it works
    before any campaign exists, so it has no campaign or filters."""

    page: str
    lang: str
    user: CurrentUser
    engine: Engine

    def t(self, key: str, **fields: object) -> str:
        return translate(key, self.lang, **fields)


def setup_frame(page: str, roles: tuple[str, ...] | None = None) -> SetupContext:
    """The frame of a setup page: sign-in gate, menu, language; no campaign filters. With
    ``roles``, anyone else sees a plain "not for your role" note and the run stops (the
    actions behind the page check the role again)."""
    lang = _language()
    st.set_page_config(
        page_title=f"{translate(f'nav.{page}', lang)} · {translate('app.title', lang)}",
        page_icon=":material/credit_card:",
        layout="wide",
        initial_sidebar_state="auto",
    )
    loaders.ensure_schema()
    user = _sign_in(lang)
    has_campaign = not loaders.campaigns().empty
    _menu(lang, {"lang": lang} if lang != "zh" else {}, role=user.role, only=None if has_campaign else SETUP_PAGES)
    st.sidebar.segmented_control(
        translate("filter.language", lang), ["zh", "en"], default="zh",
        format_func={"zh": "中文", "en": "English"}.__getitem__, key="lang", bind="query-params",
    )
    _signed_in_box(user, lang)
    if roles is not None and user.role not in roles:
        st.title(translate(f"nav.{page}", lang))
        st.info(translate("setup.not_for_role", lang), icon=":material/lock:")
        st.stop()
    return SetupContext(page=page, lang=lang, user=user, engine=loaders.engine())


def page_frame(page: str) -> PageContext:
    """Draw the frame and return the page's context; stops the run behind the sign-in form."""
    lang = _language()
    st.set_page_config(
        page_title=f"{translate(f'nav.{page}', lang)} · {translate('app.title', lang)}",
        page_icon=":material/credit_card:",
        layout="wide",
        initial_sidebar_state="auto",
    )
    loaders.ensure_schema()
    user = _sign_in(lang)
    campaigns = loaders.campaigns()
    if campaigns.empty:
        _menu(lang, {}, role=user.role, only=SETUP_PAGES)
        _signed_in_box(user, lang)
        st.title(translate(f"nav.{page}", lang))
        st.info(translate("overview.empty_admin" if user.role == "admin" else "overview.empty", lang))
        st.stop()

    sidebar = st.sidebar
    menu_box = sidebar.container()
    names = dict(zip(campaigns["id"], campaigns["name"], strict=True))
    campaign_id = sidebar.selectbox(
        translate("filter.campaign", lang), list(names), format_func=names.__getitem__, key="campaign", bind="query-params"
    )
    orgs = loaders.org_options(user.scope)
    _follow_unit_link(orgs)
    districts = [(int(r.id), r.name) for r in orgs.itertuples() if r.level == "district"]
    labels = loaders_org.level_labels() if lang == "zh" else {}
    district_id = _select_org(labels.get("district") or translate("filter.district", lang), "district", districts, lang)
    areas = [
        (int(r.id), r.name) for r in orgs.itertuples()
        if r.level == "area" and (district_id is None or r.district_id == district_id)
    ]
    area_id = _select_org(labels.get("area") or translate("filter.area", lang), "area", areas, lang)
    units = [
        (int(r.id), r.name) for r in orgs.itertuples()
        if r.level == "unit"
        and (district_id is None or r.district_id == district_id)
        and (area_id is None or r.area_id == area_id)
    ]
    unit_id = _select_org(translate("filter.unit", lang), "unit", units, lang)
    today = today_local()
    as_of = sidebar.date_input(
        translate("filter.as_of", lang), value=today, max_value=today, key="as_of", bind="query-params", format="YYYY-MM-DD"
    )
    if not isinstance(as_of, date):
        as_of = today
    chosen = unit_id or area_id or district_id
    scope = loaders.scope_of(chosen) if chosen else user.scope
    if not user.scope.contains_path(scope.root_path or "/") and chosen:
        scope = user.scope  # never wider than the user's own scope
    label_names = {**dict(districts), **dict(areas), **dict(units)}
    scope_label = label_names.get(chosen, "") if chosen else loaders.scope_name(user.scope, lang)
    now_minute = now_utc().replace(second=0, microsecond=0)
    # today: up to the end of this minute, so what was just written (seconds ago) shows at once
    cutoff = now_minute + timedelta(minutes=1) if as_of >= today else local_day_end_utc(as_of)

    sidebar.segmented_control(
        translate("filter.language", lang), ["zh", "en"], default="zh",
        format_func={"zh": "中文", "en": "English"}.__getitem__, key="lang", bind="query-params",
    )
    link_params = {}
    for key, value, shown in (
        ("campaign", campaign_id, names.get(campaign_id)),
        ("district", district_id, label_names.get(district_id or -1)),
        ("area", area_id, label_names.get(area_id or -1)),
        ("unit", unit_id, label_names.get(unit_id or -1)),
    ):
        if value is not None and (key != "campaign" or value != next(iter(names))):
            link_params[key] = str(shown)
    if as_of < today:
        link_params["as_of"] = as_of.isoformat()
    if lang != "zh":
        link_params["lang"] = lang
    _menu(lang, link_params, menu_box, role=user.role)
    _signed_in_box(user, lang)
    return PageContext(
        page=page, lang=lang, user=user, campaign_id=int(campaign_id), campaign_name=names[campaign_id],
        scope=scope, scope_label=scope_label, district_id=district_id, area_id=area_id, unit_id=unit_id,
        as_of=as_of, cutoff=cutoff, engine=loaders.engine(), link_params=link_params,
    )

