"""sign-in lock-out columns, append-only audit, keyed ID hashes

Revision ID: 0003
Revises: 0002

- ``user.failed_logins`` and ``user.locked_until`` (five failures in a row lock 15 minutes).
- ``audit`` refuses UPDATE and DELETE (SQLite triggers raising ABORT; on PostgreSQL a trigger
  function that also refuses TRUNCATE, and those privileges revoked from PUBLIC).
- ``member.id_hash`` becomes HMAC-SHA256 under the configured key (``data_access.id_key``),
  recomputed from ``member.id_number``; the downgrade puts back the plain SHA-256.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHUNK = 5_000

SQLITE_GUARD = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END",
)
SQLITE_UNGUARD = ("DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete")
POSTGRES_GUARD = (
    "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION USING MESSAGE = 'audit is append-only (' || TG_OP || ' refused)'; END $$",
    "CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC",
)
POSTGRES_UNGUARD = (
    "DROP TRIGGER IF EXISTS audit_no_update_delete ON audit",
    "DROP TRIGGER IF EXISTS audit_no_truncate ON audit",
    "DROP FUNCTION IF EXISTS audit_append_only()",
)


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rehash(digest) -> None:  # type: ignore[no-untyped-def]
    """Recompute every member's id_hash from its full id_number."""
    bind = op.get_bind()
    member = sa.table("member", sa.column("id", sa.Integer), sa.column("id_number"), sa.column("id_hash"))
    rows = bind.execute(sa.select(member.c.id, member.c.id_number).order_by(member.c.id)).all()
    update = member.update().where(member.c.id == sa.bindparam("b_id")).values(id_hash=sa.bindparam("b_hash"))
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        bind.execute(update, [{"b_id": row_id, "b_hash": digest(number)} for row_id, number in chunk])


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
    for statement in POSTGRES_GUARD if _postgres() else SQLITE_GUARD:
        op.execute(statement)

    from campaign.rules import id_number
    from data_access import id_key

    id_key.configure(op.get_bind().engine.url.render_as_string(hide_password=False))
    _rehash(id_number.id_hash)


def downgrade() -> None:
    _rehash(lambda number: hashlib.sha256(number.encode("ascii")).hexdigest())
    for statement in POSTGRES_UNGUARD if _postgres() else SQLITE_UNGUARD:
        op.execute(statement)
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
