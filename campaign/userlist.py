"""The users sheet: its template, reading an uploaded one, and the sheet of generated passwords.

Headers 登录名, 姓名, 角色, 管理范围单位编码, 初始密码 (English aliases login, name, role,
scope, password). The role is its code or its Chinese name; an empty password means "generate
one" (shown once to the administrator). Read through the project's safe readers
(``campaign.sheets.read_raw_sheets``: size, zip-bomb, XML and extent checks), at most
``MAX_USERS`` rows; a cell holding a formula marks its row (the import refuses it).

>>> role_code("片区联络人"), role_code("unit"), role_code("校长")
('liaison', 'unit', None)
>>> column_kind(" 登录名 *"), column_kind("管理范围单位编码"), column_kind("备注")
('login', 'scope', None)
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from typing import Final

import xlsxwriter

from campaign.errors import IngestError, NoHeader
from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.rules.id_number import INVISIBLE
from campaign.sheets import Limits, read_raw_sheets
from campaign.sheets.header import header_row
from campaign.sheets.model import Cell
from campaign.stages import ROLES

MAX_USERS: Final = 2_000
LIMITS: Final = Limits(max_bytes=5 * 1024 * 1024, max_rows=MAX_USERS, max_cells=200_000)
COLUMNS: Final = ("login", "name", "role", "scope", "password")
REQUIRED: Final = ("login", "name", "role", "scope")
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "login": ("登录名", "用户名", "账号", "登录账号", "login", "username", "user"),
    "name": ("姓名", "显示名", "名称", "name", "displayname", "display_name"),
    "role": ("角色", "role"),
    "scope": ("管理范围单位编码", "管理范围", "范围单位编码", "单位编码", "scope", "scopecode", "scope_code", "orgcode"),
    "password": ("初始密码", "密码", "password", "initialpassword", "initial_password"),
}
_LOOKUP: Final = {alias.lower(): kind for kind, aliases in ALIASES.items() for alias in aliases}
ROLE_NAMES: Final = {
    "admin": ("系统管理员", "管理员"),
    "district_leader": ("区工会领导", "区县局领导", "区工会", "区领导"),
    "liaison": ("片区联络人", "联络人"),
    "unit": ("基层单位填表人", "填表人", "基层单位"),
}
_ROLE_LOOKUP: Final = {name: code for code, names in ROLE_NAMES.items() for name in (code, *names)}
HEADERS_ZH: Final = ("登录名", "姓名", "角色", "管理范围单位编码", "初始密码")


class UserListColumnsMissing(IngestError):
    """A header row was found without every required column."""

    key = "users.file_columns"


class UserListEmpty(IngestError):
    """The header is there, no user row under it."""

    key = "users.file_empty"


class UserListTooLong(IngestError):
    """More rows than a users sheet may hold."""

    key = "users.file_too_long"


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value).translate(INVISIBLE))
    return text.strip()


def _cell(cells: list[Cell], col: int | None) -> str:
    return _text(cells[col]) if col is not None and col < len(cells) else ""


def column_kind(value: Cell) -> str | None:
    """What a header cell of the users sheet names (login, name, role, scope, password)."""
    if not isinstance(value, str):
        return None
    text = "".join(_text(value).split()).strip("*＊:：").lower()
    return _LOOKUP.get(text)


def role_code(value: str) -> str | None:
    """The role code of a cell (its code or Chinese name), or None."""
    text = "".join(_text(value).split())
    code = _ROLE_LOOKUP.get(text) or _ROLE_LOOKUP.get(text.lower())
    return code if code in ROLES else None


@dataclass(frozen=True)
class UserRow:
    """One row of the users sheet as typed (``role`` as written; ``formula``: a cell held one)."""

    sheet_row: int
    login: str
    display_name: str
    role: str
    scope_code: str
    password: str = ""
    formula: bool = False


def read_user_list(data: bytes, file_name: str = "", limits: Limits | None = None) -> list[UserRow]:
    """The rows of an uploaded users sheet; raises an ``IngestError`` (Chinese message)."""
    limits = limits or LIMITS
    _, raws = read_raw_sheets(data, limits)
    rows: list[UserRow] = []
    found = False
    for raw in raws:
        header = header_row(raw, limits.header_scan_rows, column_kind, lambda kinds: "login" in kinds and "role" in kinds)
        if header is None:
            continue
        first, kinds = header
        missing = [kind for kind in REQUIRED if kind not in kinds]
        if missing:
            raise UserListColumnsMissing(columns="、".join(HEADERS_ZH[COLUMNS.index(kind)] for kind in missing))
        found = True
        formula_rows = {row for row, _ in raw.formulas}
        for j in range(first + 1, len(raw.rows)):
            cells = raw.rows[j]
            values = {kind: _cell(cells, kinds.get(kind)) for kind in COLUMNS}
            if not any(values.values()):
                continue
            shown = raw.first_row + j
            rows.append(UserRow(
                sheet_row=shown, login=values["login"], display_name=values["name"], role=values["role"],
                scope_code=values["scope"], password=values["password"], formula=shown in formula_rows,
            ))
            if len(rows) > MAX_USERS:
                raise UserListTooLong(limit=MAX_USERS)
    if not found:
        raise NoHeader()
    if not rows:
        raise UserListEmpty()
    return rows


def template_bytes(lang: str = "zh") -> bytes:
    """The blank users sheet: the five headers, text cells, a role list, and a 说明 sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "in_memory": True})
    header = book.add_format({"bold": True, "border": 1, "bg_color": "#D9E1F2"})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet(t("users.template_sheet", lang))
    for col, (title, width) in enumerate(zip(HEADERS_ZH, (16, 12, 16, 20, 16), strict=True)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width, text)
    sheet.data_validation(1, 2, MAX_USERS, 2, {"validate": "list", "source": [ROLE_NAMES[r][0] for r in ROLES]})
    sheet.freeze_panes(1, 0)
    notes = book.add_worksheet(t("users.template_notes_sheet", lang))
    notes.set_column(0, 0, 100)
    for row, line in enumerate(t("users.template_notes", lang).split("\n")):
        notes.write_string(row, 0, line)
    book.close()
    return buffer.getvalue()


def passwords_bytes(accounts: list[tuple[str, str, str]], lang: str = "zh") -> bytes:
    """The sheet of new accounts and their generated passwords ((login, name, password)), to hand out once."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "in_memory": True})
    header = book.add_format({"bold": True, "border": 1})
    sheet = book.add_worksheet(t("users.passwords_sheet", lang))
    for col, title in enumerate(HEADERS_ZH[:2] + (HEADERS_ZH[4],)):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, 18)
    for row, values in enumerate(accounts, start=1):
        for col, value in enumerate(values):
            sheet.write_string(row, col, str(neutralise_cell(value)))
    book.close()
    return buffer.getvalue()


__all__ = [
    "COLUMNS", "HEADERS_ZH", "MAX_USERS", "ROLE_NAMES", "UserListColumnsMissing", "UserListEmpty",
    "UserListTooLong", "UserRow", "column_kind", "passwords_bytes", "read_user_list", "role_code", "template_bytes",
]
