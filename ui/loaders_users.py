"""Reads of the users and own-account pages: the accounts table, scope choices, the templates.

Not cached: these pages are for administrators (and one's own account), the tables are small,
and a change must show at once; nothing here holds a password hash or personal data.
"""

from __future__ import annotations

import pandas as pd

from campaign.userlist import UserRow, read_user_list
from data_access.actions import users as users_actions
from data_access.auth import CurrentUser
from data_access.db import read_session
from ui.loaders import engine


def users_table(user: CurrentUser) -> pd.DataFrame:
    """The accounts the administrator manages (``data_access.actions.users.list_users``)."""
    with read_session(engine()) as session:
        return users_actions.list_users(session, user)


def scope_choices(user: CurrentUser, search: str = "") -> pd.DataFrame:
    """Live tree nodes inside the administrator's scope matching ``search`` (name or code)."""
    with read_session(engine()) as session:
        return users_actions.scope_choices(session, user, search)


def read_users_file(data: bytes, file_name: str) -> list[UserRow]:
    """An uploaded users sheet, read in a limited worker process (raises ``IngestError``)."""
    from campaign.sheets.isolated import read_untrusted

    return read_untrusted(read_user_list, data, file_name)
