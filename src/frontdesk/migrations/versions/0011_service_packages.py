"""Service packages (保养套餐): ``service_package``, its ``package_line`` rows, and ``job.package_id``

A package is a catalog item (model/package.py): labour operations and parts with their
quantities, for a make and some of its models, due by mileage and/or months. A job added
with a package names it in ``job.package_id`` (nullable: every existing job came from no
package), so the car's next due package is read from its history.

``job`` is pointed at by part lines, clock events, checks, part orders and
recommendations, so on SQLite it is not copied (``batch_alter_table`` would drop the old
copy inside the upgrade's transaction, which the foreign keys refuse — see 0007): the column
is added by ``ALTER TABLE ... ADD COLUMN`` with its named REFERENCES clause, which SQLite
allows for a column whose default is NULL. The downgrade drops the REFERENCES clause from
the table's stored CREATE statement first (removing a foreign key changes nothing on disk:
SQLite's "Making Other Kinds Of Table Schema Changes"), as SQLite refuses to DROP a column
a foreign key names, then drops the column in place.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_FK = "fk_job_package_id_service_package"


def upgrade() -> None:
    op.create_table(
        "service_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=60), nullable=False),
        sa.Column("make", sa.String(length=40), nullable=False),
        sa.Column("models", sa.String(length=200), nullable=False),
        sa.Column("interval_km", sa.Integer(), nullable=True),
        sa.Column("interval_months", sa.Integer(), nullable=True),
        sa.Column("first_service", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_package")),
        sa.UniqueConstraint("code", name=op.f("uq_service_package_code")),
    )
    op.create_index(op.f("ix_service_package_initials"), "service_package", ["initials"], unique=False)
    op.create_index(op.f("ix_service_package_name"), "service_package", ["name"], unique=False)
    op.create_table(
        "package_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("labor_op_id", sa.Integer(), nullable=True),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.Column("qty", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.CheckConstraint("(labor_op_id IS NULL) <> (part_id IS NULL)", name=op.f("ck_package_line_one_item")),
        sa.ForeignKeyConstraint(["labor_op_id"], ["labor_operation.id"],
                                name=op.f("fk_package_line_labor_op_id_labor_operation")),
        sa.ForeignKeyConstraint(["package_id"], ["service_package.id"],
                                name=op.f("fk_package_line_package_id_service_package")),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_package_line_part_id_part")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_line")),
    )
    op.create_index(op.f("ix_package_line_package_id"), "package_line", ["package_id"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE job ADD COLUMN package_id INTEGER CONSTRAINT {_FK} REFERENCES service_package (id)")
    else:
        op.add_column("job", sa.Column("package_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f(_FK), "job", "service_package", ["package_id"], ["id"])


def _sqlite_drop_reference() -> None:
    conn = op.get_bind()
    sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'job'").scalar()
    clause = f" CONSTRAINT {_FK} REFERENCES service_package (id)"
    if clause not in sql:
        raise RuntimeError(f"job.package_id's foreign key not found as expected in: {sql}")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    conn.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'job'",
                         (sql.replace(clause, ""),))
    conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    conn.exec_driver_sql("PRAGMA writable_schema = OFF")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_drop_reference()
    else:
        op.drop_constraint(op.f(_FK), "job", type_="foreignkey")
    op.execute("ALTER TABLE job DROP COLUMN package_id")  # SQLite 3.35+: in place, no table copy
    op.drop_index(op.f("ix_package_line_package_id"), table_name="package_line")
    op.drop_table("package_line")
    op.drop_index(op.f("ix_service_package_name"), table_name="service_package")
    op.drop_index(op.f("ix_service_package_initials"), table_name="service_package")
    op.drop_table("service_package")
