"""The one way a page performs a write action: one transaction, busy guard, caches cleared.

``perform(ctx, act, *args)`` re-reads the signed-in user from the database (a user disabled or
moved since the page drew acts as nobody), runs ``act(session, user, *args)`` inside
``write_session``, clears the cached figures so every page shows the change at once, and
turns a refusal (``ActionRefused``) into a Chinese error box.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from campaign.errors import ActionRefused, IngestError
from data_access.auth import load_user
from data_access.db import read_session, write_session
from ui import loaders
from ui.frame import busy_guard

T = TypeVar("T")


def perform(ctx: Any, act: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """Run a write action as the signed-in user; None (with the reason shown) when refused."""
    with read_session(ctx.engine) as session:
        user = load_user(session, ctx.user.login)
    if user is None:
        st.error(ctx.t("action.signed_out"), icon=":material/block:")
        return None
    try:
        with busy_guard(ctx.lang), write_session(ctx.engine) as session:
            result = act(session, user, *args, **kwargs)
    except (ActionRefused, IngestError) as refused:
        st.error(refused.message(ctx.lang), icon=":material/block:")
        return None
    loaders.clear()
    return result


def perform_setup(ctx: Any, act: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``perform`` for a setup page (``SetupContext``: no campaign, same user, language and
    engine): runs the action as the re-read signed-in user; None when refused."""
    return perform(ctx, act, *args, **kwargs)
