"""Recommendations get one home: the ``recommendation`` table

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Until now a recommendation lived in three places: a declined job (at the estimate, or
additional work the customer said no to), the team leader's free text on his check
(``job_check.recommendations``, never shown to the customer), and the customer's
acknowledgement of the declined safety items on the order (``repair_order.safety_ack_by``
/ ``safety_ack_at``). They move here, one row each (model/recommendation.py):

- every declined job becomes a declined recommendation naming the job (its price: the
  job's labor and parts); a safety one carries the order's acknowledgement;
- every check's text becomes an open recommendation of that check (never put to the
  customer, so it is offered on the vehicle's next visit);

and the old columns go. The rows are copied by one ``INSERT ... SELECT`` each, in the
database, whatever the size of the store. Plain ``DROP COLUMN`` (SQLite 3.35+): neither
column is indexed or named by a trigger, so no table is copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = ("store_id, order_id, vehicle_id, description, reason, safety, price, step, found_by_id, found_at, "
            "job_id, check_id, status, decided_by, decided_at, decision_recorded_by_id, appointment_id, "
            "acknowledged_by, acknowledged_at, version")

_DECLINED_JOBS = f"""
INSERT INTO recommendation ({_COLUMNS})
SELECT o.store_id, j.order_id, o.vehicle_id, j.description, j.proposal_note, j.safety,
       j.amount + COALESCE((SELECT SUM(p.amount) FROM part_line p WHERE p.job_id = j.id), 0),
       CASE WHEN j.origin = 'additional' THEN 'workshop' ELSE 'estimate' END,
       COALESCE(j.proposed_by_id, o.advisor_id), COALESCE(j.proposed_at, o.checked_in_at),
       j.id, NULL, 'declined', j.decision_by, j.decision_at, j.decision_recorded_by_id, NULL,
       CASE WHEN j.safety THEN o.safety_ack_by END, CASE WHEN j.safety THEN o.safety_ack_at END, 1
FROM job j JOIN repair_order o ON o.id = j.order_id
WHERE j.status = 'declined'
ORDER BY j.id
"""

_CHECK_TEXTS = f"""
INSERT INTO recommendation ({_COLUMNS})
SELECT o.store_id, j.order_id, o.vehicle_id, c.recommendations, '', FALSE, NULL,
       CASE WHEN c.kind = 'qc' THEN 'qc' ELSE 'leader_check' END, c.user_id, c.at,
       NULL, c.id, 'open', NULL, NULL, NULL, NULL, NULL, NULL, 1
FROM job_check c JOIN job j ON j.id = c.job_id JOIN repair_order o ON o.id = j.order_id
WHERE c.recommendations <> ''
ORDER BY c.id
"""


def upgrade() -> None:
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("safety", sa.Boolean(), nullable=False),
        sa.Column("price", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("step", sa.Enum("estimate", "workshop", "leader_check", "qc", "delivery",
                                  name="recommendationstep", native_enum=False, length=24), nullable=False),
        sa.Column("found_by_id", sa.Integer(), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("check_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.Enum("open", "accepted", "booked", "declined",
                                    name="recommendationstatus", native_enum=False, length=24), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decision_recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("appointment_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=80), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["appointment_id"], ["appointment.id"],
                                name=op.f("fk_recommendation_appointment_id_appointment")),
        sa.ForeignKeyConstraint(["check_id"], ["job_check.id"], name=op.f("fk_recommendation_check_id_job_check")),
        sa.ForeignKeyConstraint(["decision_recorded_by_id"], ["app_user.id"],
                                name=op.f("fk_recommendation_decision_recorded_by_id_app_user")),
        sa.ForeignKeyConstraint(["found_by_id"], ["app_user.id"], name=op.f("fk_recommendation_found_by_id_app_user")),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], name=op.f("fk_recommendation_job_id_job")),
        sa.ForeignKeyConstraint(["order_id"], ["repair_order.id"],
                                name=op.f("fk_recommendation_order_id_repair_order")),
        sa.ForeignKeyConstraint(["store_id"], ["store.id"], name=op.f("fk_recommendation_store_id_store")),
        sa.ForeignKeyConstraint(["vehicle_id"], ["vehicle.id"], name=op.f("fk_recommendation_vehicle_id_vehicle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
    )
    for column in ("check_id", "job_id", "order_id", "status", "vehicle_id"):
        op.create_index(op.f(f"ix_recommendation_{column}"), "recommendation", [column], unique=False)
    op.execute(_DECLINED_JOBS)
    op.execute(_CHECK_TEXTS)
    op.drop_column("job_check", "recommendations")
    op.drop_column("repair_order", "safety_ack_at")
    op.drop_column("repair_order", "safety_ack_by")


def downgrade() -> None:
    op.add_column("repair_order", sa.Column("safety_ack_by", sa.String(length=80), nullable=True))
    op.add_column("repair_order", sa.Column("safety_ack_at", sa.DateTime(), nullable=True))
    op.add_column("job_check", sa.Column("recommendations", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE job_check SET recommendations = COALESCE((SELECT MIN(r.description) FROM recommendation r "
               "WHERE r.check_id = job_check.id), '')")
    op.execute("UPDATE repair_order SET "
               "safety_ack_by = (SELECT MAX(r.acknowledged_by) FROM recommendation r WHERE r.order_id = repair_order.id), "
               "safety_ack_at = (SELECT MAX(r.acknowledged_at) FROM recommendation r WHERE r.order_id = repair_order.id)")
    for column in ("vehicle_id", "status", "order_id", "job_id", "check_id"):
        op.drop_index(op.f(f"ix_recommendation_{column}"), table_name="recommendation")
    op.drop_table("recommendation")
