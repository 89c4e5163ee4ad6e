"""Recall and service campaigns: ``campaign``, ``campaign_job``, ``campaign_vehicle``

The maker's list of VINs (model/campaign.py): a campaign, the labour operations and parts it
needs, and one row per listed VIN with its outcome. New tables only: nothing existing is
copied or changed. ``ix_campaign_vehicle_vin_status`` serves the desk search's flag (which
of the hits' VINs have an open campaign), one index probe per VIN.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.Enum("recall", "service", name="campaignkind", native_enum=False, length=24),
                  nullable=False),
        sa.Column("starts", sa.Date(), nullable=True),
        sa.Column("ends", sa.Date(), nullable=True),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        sa.UniqueConstraint("code", name=op.f("uq_campaign_code")),
    )
    op.create_table(
        "campaign_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("labor_op_id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=True),
        sa.Column("qty", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_job_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["labor_op_id"], ["labor_operation.id"],
                                name=op.f("fk_campaign_job_labor_op_id_labor_operation")),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_campaign_job_part_id_part")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_job")),
    )
    op.create_index(op.f("ix_campaign_job_campaign_id"), "campaign_job", ["campaign_id"], unique=False)
    op.create_table(
        "campaign_vehicle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("vin", sa.String(length=17), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum("open", "done_here", "done_elsewhere", "not_applicable",
                                    name="campaigncarstatus", native_enum=False, length=24), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaign.id"],
                                name=op.f("fk_campaign_vehicle_campaign_id_campaign")),
        sa.ForeignKeyConstraint(["closed_by_id"], ["app_user.id"],
                                name=op.f("fk_campaign_vehicle_closed_by_id_app_user")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"],
                                name=op.f("fk_campaign_vehicle_order_id_repair_order")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicle.id"], name=op.f("fk_campaign_vehicle_vehicle_id_vehicle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_vehicle")),
        sa.UniqueConstraint("campaign_id", "vin", name="uq_campaign_vehicle_campaign_vin"),
    )
    op.create_index("ix_campaign_vehicle_vin_status", "campaign_vehicle", ["vin", "status"], unique=False)
    op.create_index(op.f("ix_campaign_vehicle_vehicle_id"), "campaign_vehicle", ["vehicle_id"], unique=False)
    op.create_index(op.f("ix_campaign_vehicle_order_id"), "campaign_vehicle", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_table("campaign_vehicle")
    op.drop_table("campaign_job")
    op.drop_table("campaign")
