"""Warranty claims to the maker (issue 21)

New tables ``warranty_claim`` (one claim per warranty order, its lines as JSON, the maker's
answers), ``warranty_claim_revision`` (what each submission sent, whole) and ``goodwill``
(善意保修: the manager's split between customer, maker and dealer). Nothing existing changes.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)
STATES = ("draft", "submitted", "returned", "approved", "paid", "rejected", "reassigned")


def upgrade() -> None:
    op.create_table(
        "warranty_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="claimstate", native_enum=False, length=24), nullable=False),
        sa.Column("goodwill", sa.Boolean(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("fault", sa.Text(), nullable=False),
        sa.Column("mileage_km", sa.Integer(), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("remedy", sa.Text(), nullable=False),
        sa.Column("maker_ref", sa.String(length=60), nullable=False),
        sa.Column("labour", sa.JSON(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("claimed_amount", MONEY, nullable=False),
        sa.Column("approved_amount", MONEY, nullable=True),
        sa.Column("repair_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("returned_on", sa.Date(), nullable=True),
        sa.Column("returned_reason", sa.Text(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("rejected_reason", sa.Text(), nullable=False),
        sa.Column("reassigned_to", sa.String(length=12), nullable=True),
        sa.Column("reassigned_at", sa.DateTime(), nullable=True),
        sa.Column("reassigned_by_id", sa.Integer(), nullable=True),
        sa.Column("reassign_reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_warranty_claim_store_id_store")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_warranty_claim_order_id_repair_order")),
        sa.ForeignKeyConstraint(["created_by_id"], ["app_user.id"], name=op.f("fk_warranty_claim_created_by_id_app_user")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["app_user.id"],
                                name=op.f("fk_warranty_claim_submitted_by_id_app_user")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["app_user.id"], name=op.f("fk_warranty_claim_decided_by_id_app_user")),
        sa.ForeignKeyConstraint(["reassigned_by_id"], ["app_user.id"],
                                name=op.f("fk_warranty_claim_reassigned_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claim")),
        sa.UniqueConstraint("order_id", name=op.f("uq_warranty_claim_order_id")),
        sa.UniqueConstraint("number", name=op.f("uq_warranty_claim_number")),
    )
    op.create_index(op.f("ix_warranty_claim_store_id"), "warranty_claim", ["store_id"])
    op.create_index(op.f("ix_warranty_claim_state"), "warranty_claim", ["state"])
    op.create_table(
        "warranty_claim_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("version_no", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["warranty_claim.id"],
                                name=op.f("fk_warranty_claim_revision_claim_id_warranty_claim")),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["app_user.id"],
                                name=op.f("fk_warranty_claim_revision_submitted_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warranty_claim_revision")),
        sa.UniqueConstraint("claim_id", "version_no", name=op.f("uq_warranty_claim_revision_claim_id")),
    )
    op.create_index(op.f("ix_warranty_claim_revision_claim_id"), "warranty_claim_revision", ["claim_id"])
    op.create_table(
        "goodwill",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("total", MONEY, nullable=False),
        sa.Column("customer_amount", MONEY, nullable=False),
        sa.Column("maker_amount", MONEY, nullable=False),
        sa.Column("dealer_amount", MONEY, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_goodwill_store_id_store")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_goodwill_order_id_repair_order")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["app_user.id"], name=op.f("fk_goodwill_approved_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goodwill")),
        sa.UniqueConstraint("order_id", name=op.f("uq_goodwill_order_id")),
    )


def downgrade() -> None:
    op.drop_table("goodwill")
    op.drop_table("warranty_claim_revision")
    op.drop_table("warranty_claim")
