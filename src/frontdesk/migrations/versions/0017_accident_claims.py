"""Accident repairs: insurer claims (issue 21)

New tables ``accident_claim`` (one per order: the insurer, report number, insured, assessor,
assessed amount, the customer's share, the papers received and delivered, and the paid/gap
stamp taken when the insurer's receivables close) and ``accident_supplement`` (追加定损).
Nothing existing changes, so the downgrade only drops them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(precision=12, scale=2)


def upgrade() -> None:
    op.create_table(
        "accident_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("insurer", sa.String(length=120), nullable=False),
        sa.Column("report_no", sa.String(length=60), nullable=False),
        sa.Column("insured_name", sa.String(length=80), nullable=False),
        sa.Column("assessor", sa.String(length=80), nullable=False),
        sa.Column("assessed_amount", MONEY, nullable=True),
        sa.Column("customer_share", MONEY, nullable=False),
        sa.Column("accident_on", sa.Date(), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("papers_delivered_by", sa.String(length=80), nullable=False),
        sa.Column("papers_delivered_on", sa.Date(), nullable=True),
        sa.Column("paid_amount", MONEY, nullable=True),
        sa.Column("gap", MONEY, nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"], name=op.f("fk_accident_claim_order_id_repair_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accident_claim")),
        sa.UniqueConstraint("order_id", name=op.f("uq_accident_claim_order_id")),
    )
    op.create_index(op.f("ix_accident_claim_report_no"), "accident_claim", ["report_no"])
    op.create_table(
        "accident_supplement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["accident_claim.id"],
                                name=op.f("fk_accident_supplement_claim_id_accident_claim")),
        sa.ForeignKeyConstraint(["by_id"], ["app_user.id"], name=op.f("fk_accident_supplement_by_id_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accident_supplement")),
    )
    op.create_index(op.f("ix_accident_supplement_claim_id"), "accident_supplement", ["claim_id"])


def downgrade() -> None:
    op.drop_table("accident_supplement")
    op.drop_index(op.f("ix_accident_claim_report_no"), table_name="accident_claim")
    op.drop_table("accident_claim")
