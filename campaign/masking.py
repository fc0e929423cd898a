"""Masking of personal data (ID numbers, phones, card numbers) for screens and exports."""

from __future__ import annotations


def mask_id(value: str | None) -> str:
    """Keep the first 3 and last 4 characters of an ID number.

    >>> mask_id("11010519491231002X")
    '110***********002X'
    >>> mask_id("")
    ''
    """
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """Keep the first 3 and last 4 digits of a mobile number.

    >>> mask_phone("13812345678")
    '138****5678'
    """
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_card(value: str | None) -> str:
    """Keep only the last 4 digits of a bank card number.

    >>> mask_card("6222021234567890123")
    '***************0123'
    """
    if not value:
        return ""
    return "*" * (len(value) - 4) + value[-4:]


def neutralise_cell(value: object) -> object:
    """Defuse text that a spreadsheet would run as a formula (= + - @ tab CR at the start).

    >>> neutralise_cell("=HYPERLINK(1)")
    "'=HYPERLINK(1)"
    >>> neutralise_cell("张三")
    '张三'
    >>> neutralise_cell(3)
    3
    """
    if isinstance(value, str) and value and value[0] in "=+-@\t\r":
        return "'" + value
    return value
