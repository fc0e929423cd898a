"""How strong a new password must be, and generated passwords for accounts an administrator hands out.

The rule (no strength library is in the environment, so a small one, written down):

1. at least 10 characters;
2. at least two kinds of character among lower-case letters, upper-case letters, digits and
   anything else (punctuation, Chinese characters, spaces);
3. not the login name, and not containing it (ignoring case; logins of 3+ characters);
4. not containing a well-known password (``demo1234``, ``password``, ``12345678``, ``qwerty``,
   ``88888888``, ``woaini``... see ``COMMON``), ignoring case;
5. not a single character repeated, nor a straight run such as ``1234567890`` / ``abcdefghij``.

``weakness(password, login)`` returns the catalogue key of the first rule broken, or None.

>>> weakness("short1A", "zhang")
'pw.too_short'
>>> weakness("abcdefghijk", "zhang")
'pw.one_class'
>>> weakness("zhang-2026-x", "zhang")
'pw.contains_login'
>>> weakness("Demo1234abcd", "zhang")
'pw.common'
>>> weakness("1234567890a", "zhang") is None
False
>>> weakness("湖滨路7号工会2026", "zhang") is None
True
>>> len(generate_password()) == GENERATED_LENGTH and weakness(generate_password(), "x") is None
True
"""

from __future__ import annotations

import secrets
import string
from typing import Final

MIN_LENGTH: Final = 10
GENERATED_LENGTH: Final = 12
# Lower-cased; a password containing any of them is refused.
COMMON: Final = (
    "demo1234", "password", "passw0rd", "p@ssw0rd", "12345678", "123456789", "87654321", "11111111",
    "00000000", "88888888", "66666666", "qwerty", "qwertyuiop", "asdfgh", "zxcvbn", "1q2w3e4r",
    "abc123", "abcd1234", "admin123", "admin888", "root1234", "iloveyou", "woaini", "welcome",
    "letmein", "changeme",
)
_RUNS: Final = ("0123456789", "9876543210", string.ascii_lowercase, string.ascii_lowercase[::-1])
# Without look-alikes (0/O, 1/l/I) so a password read off a sheet is typed right.
_ALPHABET: Final = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def character_classes(password: str) -> int:
    """How many of the four kinds (lower, upper, digit, other) a password uses.

    >>> character_classes("abc"), character_classes("aB3"), character_classes("a-B3")
    (1, 3, 4)
    """
    kinds = set()
    for ch in password:
        if ch.isascii() and ch.islower():
            kinds.add("lower")
        elif ch.isascii() and ch.isupper():
            kinds.add("upper")
        elif ch.isascii() and ch.isdigit():
            kinds.add("digit")
        else:
            kinds.add("other")
    return len(kinds)


def weakness(password: str, login: str = "") -> str | None:
    """The catalogue key of the first rule a new password breaks, or None when it is strong enough."""
    if len(password) < MIN_LENGTH:
        return "pw.too_short"
    if character_classes(password) < 2:
        return "pw.one_class"
    lowered = password.lower()
    login = login.strip().lower()
    if login and (lowered == login or (len(login) >= 3 and login in lowered)):
        return "pw.contains_login"
    if any(common in lowered for common in COMMON):
        return "pw.common"
    if len(set(lowered)) <= 2 or any(lowered[:-1] in run or lowered[1:] in run for run in _RUNS):
        return "pw.pattern"
    return None


def generate_password(length: int = GENERATED_LENGTH) -> str:
    """A random password (letters and digits, no look-alikes) that passes ``weakness``."""
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(length))
        if character_classes(candidate) >= 3 and weakness(candidate) is None:
            return candidate


__all__ = ["COMMON", "GENERATED_LENGTH", "MIN_LENGTH", "character_classes", "generate_password", "weakness"]
