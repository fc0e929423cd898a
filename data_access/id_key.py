"""Where the ID-hash key comes from, and handing it to the pure rules (``id_number.id_hash``).

In order: the environment variable ``CARD_ID_HASH_KEY``; the same name at the top level of
``.streamlit/secrets.toml`` (parsed with tomllib, no Streamlit needed); else, for the local
SQLite database only, ``data/id_hash.key``, generated (mode 0600) on first use so ``make run``
works on a fresh machine. A shared PostgreSQL deployment must configure the key: two servers
generating their own would hash the same person two ways and miss duplicates.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path

from campaign.rules.id_number import MIN_KEY_BYTES, has_id_hash_key, set_id_hash_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "CARD_ID_HASH_KEY"
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
KEY_FILE = PROJECT_ROOT / "data" / "id_hash.key"


class IdHashKeyMissing(RuntimeError):
    """No key is configured where one must be (a shared database)."""

    def __init__(self) -> None:
        super().__init__(
            f"未配置身份证号哈希密钥：请设置环境变量 {ENV_VAR} 或在 .streamlit/secrets.toml 中配置"
            f"（所有服务器须相同）。/ No ID hash key: set {ENV_VAR} in the environment or in "
            ".streamlit/secrets.toml (the same on every server)."
        )


def _from_secrets(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            value = tomllib.load(handle).get(ENV_VAR)
    except FileNotFoundError:
        return None
    return str(value) if value else None


def _from_key_file(path: Path, create: bool) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        if not create:
            return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text(encoding="ascii").strip() or None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return path.read_text(encoding="ascii").strip()


def load_key(
    *,
    local_database: bool,
    environ: Mapping[str, str] | None = None,
    secrets_file: Path = SECRETS_FILE,
    key_file: Path = KEY_FILE,
) -> bytes:
    """The configured key; a generated key file only when the database is a local SQLite."""
    environ = os.environ if environ is None else environ
    value = (environ.get(ENV_VAR) or "").strip() or _from_secrets(secrets_file)
    if not value:
        value = _from_key_file(key_file, create=local_database) if local_database else None
    if not value:
        raise IdHashKeyMissing()
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"{ENV_VAR} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def configure(url: str, *, force: bool = False) -> None:
    """Set the process-wide key for a database URL (once, unless ``force``)."""
    if has_id_hash_key() and not force:
        return
    set_id_hash_key(load_key(local_database=url.startswith("sqlite")))
