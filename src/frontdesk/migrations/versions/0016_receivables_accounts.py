"""Accounts and the receivables ledger (issue 21)

New tables ``account``, ``account_vehicle``, ``account_driver`` (key accounts, model/account.py),
``remittance`` and ``allocation`` (money from payers applied to receivables). ``receivable``
gains who owes it (payer kind and name, the account), what has been paid or written off,
terms and collection follow-up, and a version; ``repair_order`` gains the account its bill
was charged to. Existing insurance receivables become the insurers'; warranty ones the
maker's, named by the car's make. Columns with a foreign key are added in place on SQLite
(``ADD COLUMN … REFERENCES``), so no table is copied.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)
RATE = sa.Numeric(precision=5, scale=4)
KINDS = ("key", "institution", "government", "fleet")
PAYERS = ("account", "insurer", "maker", "customer")
METHODS = ("cash", "card", "wechat", "alipay", "transfer")

# (table, column, referred table)
_FK_COLUMNS = (
    ("receivable", "account_id", "account"),
    ("receivable", "written_off_by_id", "app_user"),
    ("repair_order", "account_id", "account"),
)


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="accountkind", native_enum=False, length=24), nullable=False),
        sa.Column("contact_name", sa.String(length=80), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("credit_limit", MONEY, nullable=False),
        sa.Column("terms_days", sa.Integer(), nullable=False),
        sa.Column("monthly", sa.Boolean(), nullable=False),
        sa.Column("labour_discount", RATE, nullable=False),
        sa.Column("parts_discount", RATE, nullable=False),
        sa.Column("invoice_title", sa.String(length=120), nullable=False),
        sa.Column("tax_id", sa.String(length=30), nullable=False),
        sa.Column("invoice_address", sa.String(length=200), nullable=False),
        sa.Column("invoice_bank", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("suspended_at", sa.DateTime(), nullable=True),
        sa.Column("suspended_reason", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_account_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("store_id", "code", name=op.f("uq_account_store_id")),
    )
    op.create_table(
        "account_vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_vehicle_account_id_account")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_account_vehicle_store_id_store")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicle.id"], name=op.f("fk_account_vehicle_vehicle_id_vehicle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_vehicle")),
        sa.UniqueConstraint("vehicle_id", "store_id", name=op.f("uq_account_vehicle_vehicle_id")),
    )
    op.create_index(op.f("ix_account_vehicle_account_id"), "account_vehicle", ["account_id"])
    op.create_table(
        "account_driver",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_account_driver_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_driver")),
    )
    op.create_index(op.f("ix_account_driver_account_id"), "account_driver", ["account_id"])

    op.add_column("receivable", sa.Column("payer_kind", sa.Enum(*PAYERS, name="payerkind", native_enum=False, length=24),
                                          nullable=False, server_default="maker"))
    op.add_column("receivable", sa.Column("payer_name", sa.String(length=120), nullable=False, server_default=""))
    op.add_column("receivable", sa.Column("paid", MONEY, nullable=False, server_default="0"))
    op.add_column("receivable", sa.Column("written_off", MONEY, nullable=False, server_default="0"))
    op.add_column("receivable", sa.Column("written_off_at", sa.DateTime(), nullable=True))
    op.add_column("receivable", sa.Column("write_off_reason", sa.String(length=200), nullable=False, server_default=""))
    op.add_column("receivable", sa.Column("due_on", sa.Date(), nullable=True))
    op.add_column("receivable", sa.Column("next_action_on", sa.Date(), nullable=True))
    op.add_column("receivable", sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.add_column("receivable", sa.Column("closed_at", sa.DateTime(), nullable=True))
    op.add_column("receivable", sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column("repair_order", sa.Column("account_charged", MONEY, nullable=False, server_default="0"))
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column, referred in _FK_COLUMNS:
        if sqlite:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} INTEGER REFERENCES {referred} (id)")
        else:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f"fk_{table}_{column}_{referred}"), table, referred, [column], ["id"])
    op.create_index(op.f("ix_receivable_account_id"), "receivable", ["account_id"])
    op.create_index("ix_receivable_payer_open", "receivable", ["payer_kind", "closed_at"])
    op.execute("UPDATE receivable SET payer_kind = 'insurer' WHERE pay_type = 'insurance'")
    op.execute("UPDATE receivable SET payer_name = (SELECT v.make FROM repair_order o JOIN vehicle v ON v.id = o.vehicle_id"
               " WHERE o.id = receivable.order_id) WHERE pay_type = 'warranty'")

    op.create_table(
        "remittance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("payer_kind", sa.Enum(*PAYERS, name="payerkind", native_enum=False, length=24), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("payer_name", sa.String(length=120), nullable=False),
        sa.Column("method", sa.Enum(*METHODS, name="paymentmethod", native_enum=False, length=24), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("applied", MONEY, nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_remittance_store_id_store")),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_remittance_account_id_account")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["app_user.id"], name=op.f("fk_remittance_recorded_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remittance")),
        sa.UniqueConstraint("store_id", "payer_kind", "payer_name", "reference", name=op.f("uq_remittance_store_id")),
    )
    op.create_index(op.f("ix_remittance_account_id"), "remittance", ["account_id"])
    op.create_table(
        "allocation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remittance_id", sa.Integer(), nullable=False),
        sa.Column("receivable_id", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["remittance_id"], ["remittance.id"], name=op.f("fk_allocation_remittance_id_remittance")),
        sa.ForeignKeyConstraint(["receivable_id"], ["receivable.id"], name=op.f("fk_allocation_receivable_id_receivable")),
        sa.ForeignKeyConstraint(["by_id"], ["app_user.id"], name=op.f("fk_allocation_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation")),
        sa.UniqueConstraint("remittance_id", "receivable_id", name=op.f("uq_allocation_remittance_id")),
    )
    op.create_index(op.f("ix_allocation_remittance_id"), "allocation", ["remittance_id"])
    op.create_index(op.f("ix_allocation_receivable_id"), "allocation", ["receivable_id"])


def downgrade() -> None:
    op.drop_table("allocation")
    op.drop_table("remittance")
    op.drop_index("ix_receivable_payer_open", table_name="receivable")
    op.drop_index(op.f("ix_receivable_account_id"), table_name="receivable")
    sqlite = op.get_bind().dialect.name == "sqlite"
    receivable_columns = ("payer_kind", "payer_name", "paid", "written_off", "written_off_at", "write_off_reason",
                          "due_on", "next_action_on", "note", "closed_at", "version")
    if sqlite:  # a column with a REFERENCES clause cannot be dropped in place: the tables are copied
        with op.batch_alter_table("receivable") as batch_op:
            for column in ("account_id", "written_off_by_id", *receivable_columns):
                batch_op.drop_column(column)
        with op.batch_alter_table("repair_order") as batch_op:
            batch_op.drop_column("account_id")
            batch_op.drop_column("account_charged")
    else:
        for table, column, referred in _FK_COLUMNS:
            op.drop_constraint(op.f(f"fk_{table}_{column}_{referred}"), table, type_="foreignkey")
            op.drop_column(table, column)
        for column in receivable_columns:
            op.drop_column("receivable", column)
        op.drop_column("repair_order", "account_charged")
    op.drop_table("account_driver")
    op.drop_table("account_vehicle")
    op.drop_table("account")
