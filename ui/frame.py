"""The page frame every page starts with: page config, sign-in gate, menu, URL-bound filters.

We never call ``st.navigation``: the automatic menu is hidden in .streamlit/config.toml and
this frame draws its own with ``st.page_link``, so a deep link opened first after a restart
still runs the whole frame (see DESIGN.md, "Pages and navigation: a known trap").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from data_access.sessions import (
    CHANGED,
    COOKIE_NAME,
    EXPIRED,
    SESSION_HOURS,
    SIGNED_OUT,
    UNKNOWN,
    end_session,
    resume_session,
    start_session,
)
from ui import loaders, loaders_org, memory
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
    "review": ("admin", "district_leader"),  # data_access.actions.review.REVIEWING_ROLES
    "batches": ("admin", "district_leader"),  # data_access.actions.batch.BATCH_ROLES
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
SESSION_ENDED = "user_session_ended"  # why the last session ended (sessions.CHANGED/SIGNED_OUT/EXPIRED)
SESSION_TOKEN = "user_session_token"  # this browser session's token (the cookie's value)
SESSION_EXPIRES = "user_session_expires"  # its end (naive UTC), for the cookie's Expires
DEAD_COOKIE = "user_dead_cookie"  # a cookie this browser sent whose session is over
KEPT_ON_SIGN_OUT = frozenset({"lang", DEAD_COOKIE, SESSION_ENDED})
LANGS = ("zh", "en")
# Spellings of the language seen in old links; the URL is rewritten to the one spelling.
LANG_SPELLINGS = {"zh": "zh", "en": "en", "english": "en", "中文": "zh", "zh-cn": "zh", "zh_cn": "zh", "cn": "zh"}
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]{20,200}")


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
    """The page's language: the URL's ``lang`` (one spelling, ``zh`` or ``en``; old spellings
    such as ``English`` are read and rewritten), else this session's last choice, else Chinese.
    Every page link carries ``lang``, so the URL is the truth; the switch writes it."""
    raw = st.query_params.get("lang")
    lang = LANG_SPELLINGS.get(str(raw).strip().lower()) if raw is not None else None
    if lang is None:
        kept = st.session_state.get("lang")
        lang = kept if kept in LANGS else "zh"
    if raw != lang:
        st.query_params["lang"] = lang
    st.session_state["lang"] = lang  # the switch shows it (set before the widget is drawn)
    return lang


def _language_changed() -> None:
    """The switch was used: write the URL in the one spelling (a deselect keeps the language)."""
    chosen = st.session_state.get("lang")
    if chosen not in LANGS:
        chosen = LANG_SPELLINGS.get(str(st.query_params.get("lang", "zh")).lower(), "zh")
        st.session_state["lang"] = chosen
    st.query_params["lang"] = chosen


def _language_switch(lang: str, box: object) -> None:
    box.segmented_control(  # type: ignore[attr-defined]
        translate("filter.language", lang), list(LANGS),
        format_func={"zh": "中文", "en": "English"}.__getitem__, key="lang", on_change=_language_changed,
    )


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
    nothing scoped to one user). The language choice and what is known of the cookie stay."""
    for key in list(st.session_state.keys()):
        if key not in KEPT_ON_SIGN_OUT:
            del st.session_state[key]


def _cookie() -> str | None:
    """The session cookie this browser sent when it connected (reload, new tab, link)."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no request (AppTest, bare mode): no cookie
        return None
    return value if isinstance(value, str) and _TOKEN_CHARS.fullmatch(value) else None


def _cookie_script(box: object) -> None:
    """Write or clear the session cookie in the browser when it differs from what this session
    holds. Streamlit cannot set a cookie from the server: a three-line script in the page (not
    an iframe) does it; the token is ours (URL-safe characters only), never user input.
    ``Secure`` when served over https; SameSite=Strict; path /."""
    token = st.session_state.get(SESSION_TOKEN)
    cookie = _cookie()
    if token and cookie != token and _TOKEN_CHARS.fullmatch(token):
        expires = st.session_state.get(SESSION_EXPIRES) or (now_utc() + timedelta(hours=SESSION_HOURS))
        value = f"{COOKIE_NAME}={token}; Path=/; Expires={expires:%a, %d %b %Y %H:%M:%S} GMT; SameSite=Strict"
    elif not token and cookie is not None and cookie == st.session_state.get(DEAD_COOKIE):
        value = f"{COOKIE_NAME}=; Path=/; Max-Age=0; SameSite=Strict"
    else:
        return
    script = (
        '<script>(function(){var s=location.protocol==="https:"?"; Secure":"";'
        f'document.cookie="{value}"+s;}})();</script>'
    )
    box.html(script, unsafe_allow_javascript=True)  # type: ignore[attr-defined]


def _sign_out(login: str, lang: str) -> None:
    """End this token's session on the server (every tab using the cookie is out on its next
    interaction), audit the sign-out, forget everything this session held and clear the
    cookie."""
    token = st.session_state.get(SESSION_TOKEN)
    with busy_guard(lang):
        if token:
            end_session(loaders.engine(), login, token)
        else:
            record_sign_out(loaders.engine(), login)
    _forget_session()
    st.session_state.pop(SESSION_ENDED, None)
    if token:
        st.session_state[DEAD_COOKIE] = token
    st.rerun()


def _session_over(reason: str, token: str | None) -> None:
    _forget_session()
    st.session_state[SESSION_ENDED] = reason
    if token:
        st.session_state[DEAD_COOKIE] = token


def _signed_in(user: CurrentUser, token: str | None, expires: datetime | None) -> CurrentUser:
    st.session_state[SESSION_USER] = user.login
    st.session_state[SESSION_VERSION] = user.session_version
    st.session_state.pop(SESSION_ENDED, None)
    if token:
        st.session_state[SESSION_TOKEN] = token
        st.session_state[SESSION_EXPIRES] = expires
    return user


def _sign_in(lang: str) -> CurrentUser:
    """Return the signed-in user (re-read every run) or draw the sign-in form and stop.

    A browser session holds a token (data_access.sessions): checked on every run, so a
    sign-out elsewhere, a disabled account or a changed role, scope or password
    (``session_version``) ends it on the next interaction, and the form says why. A new
    browser session (F5, a new tab, a colleague's link) presents the cookie and is signed in
    again without the form while the token's working day lasts. A session holding a login but
    no token (tests) is checked by ``session_version`` alone.
    """
    engine = loaders.engine()
    login = st.session_state.get(SESSION_USER)
    token = st.session_state.get(SESSION_TOKEN)
    if login and token:
        check = resume_session(engine, token)
        if check.user is not None and check.user.login == login:
            return check.user
        _session_over(check.reason, token)
    elif login:
        with read_session(engine) as session:
            user = load_user(session, login)
        if user is not None and st.session_state.get(SESSION_VERSION) is None:
            st.session_state[SESSION_VERSION] = user.session_version
        if session_current(user, st.session_state.get(SESSION_VERSION)):
            return user  # type: ignore[return-value]
        _session_over(CHANGED, None)
    else:
        cookie = _cookie()
        if cookie and cookie != st.session_state.get(DEAD_COOKIE):
            check = resume_session(engine, cookie, new_browser_session=True)
            if check.user is not None:
                return _signed_in(check.user, cookie, check.expires_at)
            st.session_state[DEAD_COOKIE] = cookie
            if check.reason != UNKNOWN:
                st.session_state[SESSION_ENDED] = check.reason
    st.title(translate("app.title", lang))
    st.caption(translate("auth.prompt", lang))
    ended = st.session_state.get(SESSION_ENDED)
    if ended in (CHANGED, True):
        st.warning(translate("auth.session_changed", lang), icon=":material/logout:")
    elif ended == SIGNED_OUT:
        st.info(translate("sessions.signed_out_elsewhere", lang), icon=":material/logout:")
    elif ended == EXPIRED:
        st.info(translate("sessions.expired", lang, hours=SESSION_HOURS), icon=":material/schedule:")
    _language_switch(lang, st.container(width=420))
    with st.form("sign_in", width=420):
        login_input = st.text_input(translate("auth.login", lang), key="sign_in_login")
        password = st.text_input(translate("auth.password", lang), type="password", key="sign_in_password")
        submitted = st.form_submit_button(translate("auth.sign_in", lang), type="primary")
    _cookie_script(st.container())
    if submitted:
        with busy_guard(lang):
            result = sign_in(engine, login_input, password)
            opened = start_session(engine, result.user.login) if result.user is not None else None
        if result.locked_until is not None:
            until = format_local(result.locked_until)
            st.error(translate("auth.locked", lang, attempts=MAX_FAILED_SIGN_INS, until=until))
        elif result.user is None or opened is None:
            st.error(translate("auth.failed", lang))
        else:
            st.session_state.pop("sign_in_password", None)
            _signed_in(result.user, opened.token, opened.expires_at)
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


_MISSING = object()
ALL = 0  # the org choices' "全部" (a None value would show the selectbox's empty placeholder)


def _chosen(key: str, parse: Callable[[str], object | None]) -> tuple[object | None, str | None]:
    """A filter's value this run and, when the URL named something unusable, the raw text.

    The URL is the truth (every page link carries the whole filter state), except when the
    filter's session value moved since the frame last set it: its widget or a callback (a
    click on a chart bar, a link from a table) changed it, and that choice wins and is
    written to the URL."""
    marker = f"_frame_{key}"
    if key in st.session_state and st.session_state[key] != st.session_state.get(marker, _MISSING):
        value = st.session_state[key]
        return (None if value == ALL else value), None
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return None, None
    value = parse(raw)
    return value, (raw if value is None else None)


def _keep(key: str, value: object | None, text: str | None) -> None:
    """Hold a filter's value in the session (the widget shows it) and in the URL (by name)."""
    shown = ALL if value is None else value
    st.session_state[key] = shown
    st.session_state[f"_frame_{key}"] = shown
    if text is None:
        st.query_params.pop(key, None)
    elif st.query_params.get(key) != text:
        st.query_params[key] = text


def _select_org(label: str, key: str, options: list[tuple[int, str]], lang: str) -> int | None:
    """A choice among org units (its value set by ``_org_filter``); with one option there is
    nothing to choose."""
    if len(options) <= 1:
        return options[0][0] if options else None
    names = {org_id: name for org_id, name in options}
    chosen = st.sidebar.selectbox(
        label,
        [ALL, *names],
        format_func=lambda org_id: translate("filter.all", lang) if org_id == ALL else names[org_id],
        key=key,
    )
    return None if chosen in (ALL, None) else chosen


def unit_link(page: str, unit_id: int) -> str:
    """A link to a page for one unit (tables use it, e.g. the unit's timeline): ``timeline?unit_id=17``."""
    return f"{page}?unit_id={int(unit_id)}"


def _follow_unit_link(orgs: object) -> bool:
    """Turn ``?unit_id=<id>`` (a link from a table) into the unit filter, which the URL carries
    by name, when the unit lies in the user's scope (``orgs`` holds only those). Returns False
    when the link pointed outside it (the caller says so)."""
    linked = st.query_params.get("unit_id")
    if linked is None:
        return True
    del st.query_params["unit_id"]
    rows = orgs[(orgs["level"] == "unit") & (orgs["id"].astype(str) == str(linked).strip())]  # type: ignore[index]
    if rows.empty:
        return False
    for key in ("district", "area"):  # "all", so the unit is among the choices
        _keep(key, None, None)
    unit_id = int(rows.iloc[0]["id"])
    st.session_state["unit"] = unit_id
    st.session_state["_frame_unit"] = unit_id
    st.query_params["unit"] = str(rows.iloc[0]["name"])
    return True


def _org_filter(key: str, options: list[tuple[int, str]], in_scope: dict[str, int], refused: list[str]) -> int | None:
    """The district / area / unit chosen (URL by name, or a fresh choice in the session), among
    ``options`` (those of the user's scope under the wider filters). A name outside the user's
    scope is refused (noted in ``refused``, the caller tells the user); one in scope but not
    under the wider filters is dropped quietly."""
    by_name = {name: org_id for org_id, name in options}
    value, bad = _chosen(key, lambda raw: by_name.get(raw.strip()) or in_scope.get(raw.strip()))
    if bad is not None:
        refused.append(bad)
    ids = dict(options)
    if value not in ids:
        value = None
    if value is None and len(options) == 1:
        value = options[0][0]
    shown = len(options) > 1 or st.query_params.get(key)  # a single choice stays in the URL only if the link had it
    _keep(key, value, ids.get(value) if value is not None and shown else None)  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


def _as_of_filter(today: date) -> date:
    def parse(raw: str) -> date | None:
        try:
            day = date.fromisoformat(raw.strip())
        except ValueError:
            return None
        return day if day <= today else None

    value, _ = _chosen("as_of", parse)
    day = value if isinstance(value, date) and not isinstance(value, datetime) and value <= today else today
    _keep("as_of", day, day.isoformat() if day < today else None)
    return day


def _signed_in_box(user: CurrentUser, lang: str) -> None:
    _cookie_script(st.sidebar)
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


def _open_page(page: str) -> tuple[str, CurrentUser]:
    """What every page does first: its language, its browser-tab title, the schema, then the
    sign-in gate (the run stops behind the form until someone signs in)."""
    lang = _language()
    st.set_page_config(
        page_title=f"{translate(f'nav.{page}', lang)} · {translate('app.title', lang)}",
        page_icon=":material/credit_card:",
        layout="wide",
        initial_sidebar_state="auto",
    )
    loaders.ensure_schema()
    return lang, _sign_in(lang)


def setup_frame(page: str, roles: tuple[str, ...] | None = None) -> SetupContext:
    """The frame of a setup page: sign-in gate, menu, language; no campaign filters. With
    ``roles``, anyone else sees a plain "not for your role" note and the run stops (the
    actions behind the page check the role again)."""
    lang, user = _open_page(page)
    has_campaign = not loaders.campaigns().empty
    _menu(lang, {"lang": lang}, role=user.role, only=None if has_campaign else SETUP_PAGES)
    _language_switch(lang, st.sidebar)
    _signed_in_box(user, lang)
    if roles is not None and user.role not in roles:
        st.title(translate(f"nav.{page}", lang))
        st.info(translate("setup.not_for_role", lang), icon=":material/lock:")
        st.stop()
    return SetupContext(page=page, lang=lang, user=user, engine=loaders.engine())


def page_frame(page: str) -> PageContext:
    """Draw the frame and return the page's context; stops the run behind the sign-in form."""
    memory.release_large_blocks()  # once per server process (ui.memory)
    memory.trim()
    lang, user = _open_page(page)
    campaigns = loaders.campaigns()
    if campaigns.empty:
        _menu(lang, {"lang": lang}, role=user.role, only=SETUP_PAGES)
        _signed_in_box(user, lang)
        st.title(translate(f"nav.{page}", lang))
        st.info(translate("overview.empty_admin" if user.role == "admin" else "overview.empty", lang))
        st.stop()

    sidebar = st.sidebar
    menu_box = sidebar.container()
    names = dict(zip(campaigns["id"], campaigns["name"], strict=True))
    first = next(iter(names))
    by_name = {str(name): cid for cid, name in names.items()}
    campaign_id, _ = _chosen("campaign", lambda raw: by_name.get(raw.strip()))
    if campaign_id not in names:
        campaign_id = first
    _keep("campaign", campaign_id, str(names[campaign_id]) if campaign_id != first else None)
    sidebar.selectbox(translate("filter.campaign", lang), list(names), format_func=names.__getitem__, key="campaign")
    orgs = loaders.org_options(user.scope)
    refused: list[str] = []
    if not _follow_unit_link(orgs):
        refused.append("unit_id")
    # Columns as lists once (a city has 60,000 nodes: itertuples three times cost half a second).
    rows = list(zip(
        orgs["id"].astype(int).tolist(), orgs["name"].tolist(), orgs["level"].tolist(),
        orgs["district_id"].tolist(), orgs["area_id"].tolist(), strict=True,
    ))
    in_scope: dict[str, dict[str, int]] = {"district": {}, "area": {}, "unit": {}}
    for org_id, name, level, _, _ in rows:
        if level in in_scope:
            in_scope[level][str(name)] = org_id
    districts = [(org_id, name) for org_id, name, level, _, _ in rows if level == "district"]
    labels = loaders_org.level_labels() if lang == "zh" else {}
    district_id = _org_filter("district", districts, in_scope["district"], refused)
    district_id = _select_org(labels.get("district") or translate("filter.district", lang), "district", districts, lang)
    areas = [
        (org_id, name) for org_id, name, level, in_district, _ in rows
        if level == "area" and (district_id is None or in_district == district_id)
    ]
    area_id = _org_filter("area", areas, in_scope["area"], refused)
    area_id = _select_org(labels.get("area") or translate("filter.area", lang), "area", areas, lang)
    units = [
        (org_id, name) for org_id, name, level, in_district, in_area in rows
        if level == "unit"
        and (district_id is None or in_district == district_id)
        and (area_id is None or in_area == area_id)
    ]
    unit_id = _org_filter("unit", units, in_scope["unit"], refused)
    unit_id = _select_org(translate("filter.unit", lang), "unit", units, lang)
    today = today_local()
    _as_of_filter(today)
    as_of = sidebar.date_input(translate("filter.as_of", lang), max_value=today, key="as_of", format="YYYY-MM-DD")
    if not isinstance(as_of, date):
        as_of = today
    if refused:
        st.warning(translate("sessions.link_out_of_scope", lang), icon=":material/travel_explore:")
    chosen = unit_id or area_id or district_id
    scope = loaders.scope_of(chosen) if chosen else user.scope
    if not user.scope.contains_path(scope.root_path or "/") and chosen:
        scope = user.scope  # never wider than the user's own scope
    label_names = {**dict(districts), **dict(areas), **dict(units)}
    scope_label = label_names.get(chosen, "") if chosen else loaders.scope_name(user.scope, lang)
    now_minute = now_utc().replace(second=0, microsecond=0)
    # today: up to the end of this minute, so what was just written (seconds ago) shows at once
    cutoff = now_minute + timedelta(minutes=1) if as_of >= today else local_day_end_utc(as_of)

    _language_switch(lang, sidebar)
    # Every link carries the whole filter state, by the names the URL holds.
    link_params = {key: str(st.query_params[key]) for key in FILTER_KEYS if st.query_params.get(key)}
    link_params["lang"] = lang
    _menu(lang, link_params, menu_box, role=user.role)
    _signed_in_box(user, lang)
    return PageContext(
        page=page, lang=lang, user=user, campaign_id=int(campaign_id), campaign_name=names[campaign_id],
        scope=scope, scope_label=scope_label, district_id=district_id, area_id=area_id, unit_id=unit_id,
        as_of=as_of, cutoff=cutoff, engine=loaders.engine(), link_params=link_params,
    )

