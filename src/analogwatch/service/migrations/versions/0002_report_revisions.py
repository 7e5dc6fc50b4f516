"""Corrections and withdrawal of reports: the revision columns of reports, and report_revisions.

A downgrade drops the revision history and the withdrawn marks with it: withdrawn reports then
read as current ones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)

# Like the audit log, the revision history is append-only: the database refuses to change or
# remove a row.
_SQLITE_TRIGGERS = [
    """CREATE TRIGGER report_revisions_no_update BEFORE UPDATE ON report_revisions
       BEGIN SELECT RAISE(ABORT, 'report_revisions is append-only'); END""",
    """CREATE TRIGGER report_revisions_no_delete BEFORE DELETE ON report_revisions
       BEGIN SELECT RAISE(ABORT, 'report_revisions is append-only'); END""",
]
_PG_TRIGGERS = [
    """CREATE FUNCTION report_revisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'report_revisions is append-only'; END $$""",
    """CREATE TRIGGER report_revisions_no_change BEFORE UPDATE OR DELETE ON report_revisions
       FOR EACH ROW EXECUTE FUNCTION report_revisions_append_only()""",
    """CREATE TRIGGER report_revisions_no_truncate BEFORE TRUNCATE ON report_revisions
       FOR EACH STATEMENT EXECUTE FUNCTION report_revisions_append_only()""",
]

_REPORT_COLUMNS = ("revision", "updated_at", "withdrawn_at", "withdrawal_reason")


def upgrade() -> None:
    op.add_column("reports", sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
    op.add_column("reports", sa.Column("updated_at", TS, nullable=True))
    op.add_column("reports", sa.Column("withdrawn_at", TS, nullable=True))
    op.add_column("reports", sa.Column("withdrawal_reason", sa.Text(), nullable=True))
    op.create_table(
        "report_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('submitted', 'corrected', 'withdrawn')", name=op.f("ck_report_revisions_kind")),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_report_revisions_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_revisions")),
        sa.UniqueConstraint("report_id", "revision", name=op.f("uq_report_revisions_report_id_revision")),
    )
    op.create_index(op.f("ix_report_revisions_report_id"), "report_revisions", ["report_id"])
    bind = op.get_bind()
    for ddl in _PG_TRIGGERS if bind.dialect.name == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(ddl)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_revisions_no_truncate ON report_revisions")
        op.execute("DROP TRIGGER IF EXISTS report_revisions_no_change ON report_revisions")
        op.execute("DROP FUNCTION IF EXISTS report_revisions_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS report_revisions_no_update")
        op.execute("DROP TRIGGER IF EXISTS report_revisions_no_delete")
    op.drop_index(op.f("ix_report_revisions_report_id"), table_name="report_revisions")
    op.drop_table("report_revisions")
    # ALTER TABLE ... DROP COLUMN on both backends (SQLite 3.35 and later): a batch copy of the
    # table would have to drop reports, which the alerts' foreign keys refuse.
    for column in reversed(_REPORT_COLUMNS):
        op.drop_column("reports", column)
