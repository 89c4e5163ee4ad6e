"""The old-parts ledger (issue 21)

New tables ``old_part_shipment`` (a return of old parts to the maker: consignment number and
date) and ``old_part`` (each replaced warranty part, tagged and stored, then shipped or
scrapped; model/old_part.py). A part line is tagged at most once, a tag is unique in a store.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

STATES = ("stored", "shipped", "scrapped")


def upgrade() -> None:
    op.create_table(
        "old_part_shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["app_user.id"], name=op.f("fk_old_part_shipment_by_id_app_user")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_old_part_shipment_store_id_store")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_old_part_shipment")),
        sa.UniqueConstraint("store_id", "number", name=op.f("uq_old_part_shipment_store_id")),
    )
    op.create_table(
        "old_part",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=True),
        sa.Column("part_line_id", sa.Integer(), nullable=True),
        sa.Column("part_no", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("qty", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("tag", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=40), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("stored_by_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="oldpartstate", native_enum=False, length=24), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=True),
        sa.Column("scrapped_at", sa.DateTime(), nullable=True),
        sa.Column("scrap_reason", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["warranty_claim.id"], name=op.f("fk_old_part_claim_id_warranty_claim")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_old_part_order_id_repair_order")),
        sa.ForeignKeyConstraint(["part_line_id"], ["part_line.id"], name=op.f("fk_old_part_part_line_id_part_line")),
        sa.ForeignKeyConstraint(["shipment_id"], ["old_part_shipment.id"],
                                name=op.f("fk_old_part_shipment_id_old_part_shipment")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_old_part_store_id_store")),
        sa.ForeignKeyConstraint(["stored_by_id"], ["app_user.id"], name=op.f("fk_old_part_stored_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_old_part")),
        sa.UniqueConstraint("part_line_id", name=op.f("uq_old_part_part_line_id")),
        sa.UniqueConstraint("store_id", "tag", name=op.f("uq_old_part_store_id")),
    )
    op.create_index(op.f("ix_old_part_claim_id"), "old_part", ["claim_id"])
    op.create_index(op.f("ix_old_part_order_id"), "old_part", ["order_id"])
    op.create_index(op.f("ix_old_part_shipment_id"), "old_part", ["shipment_id"])
    op.create_index(op.f("ix_old_part_state"), "old_part", ["state"])


def downgrade() -> None:
    op.drop_table("old_part")
    op.drop_table("old_part_shipment")
