"""三包: repair, replacement and return of family cars (issue 21)

``labor_operation.system`` and ``job.system``: the car's system the work is on (engine,
transmission, steering, brakes…; NULL for routine work), so repeat repairs can be counted
per system; ``repair_order.sanbao_status`` keeps where the car stood under 三包 on each order
(services/sanbao.py). Plain columns added in place, nothing copied. The labour operations
already in the catalog get the system their category names (the same table as
``services/sanbao.SYSTEM_OF_CATEGORY``, written out here so this revision never changes
with the code), and the jobs already on orders the system of their operation; orders keep
``none`` (the status of an order is decided when it is checked in, ready or delivered).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

SYSTEMS = ("engine", "transmission", "steering", "brakes", "suspension", "drive", "body", "electrical", "other")
STATES = ("none", "in_period", "warning", "threshold")
_CATEGORY_SYSTEM = {
    "engine": "engine", "transmission": "transmission", "steering": "steering", "brakes": "brakes",
    "suspension": "suspension", "drive": "drive", "body": "body", "paint": "body", "glass": "body",
    "electrical": "electrical", "new_energy": "electrical", "air_conditioning": "other",
}


def _system_column() -> sa.Column:
    return sa.Column("system", sa.Enum(*SYSTEMS, name="vehiclesystem", native_enum=False, length=24), nullable=True)


def upgrade() -> None:
    op.add_column("labor_operation", _system_column())
    op.add_column("job", _system_column())
    op.add_column("repair_order", sa.Column(
        "sanbao_status", sa.Enum(*STATES, name="sanbaostate", native_enum=False, length=24),
        nullable=False, server_default="none"))
    labor = sa.table("labor_operation", sa.column("id", sa.Integer), sa.column("category", sa.String),
                     sa.column("system", sa.String))
    for category, system in _CATEGORY_SYSTEM.items():
        op.execute(labor.update().where(labor.c.category == category).values(system=system))
    job = sa.table("job", sa.column("labor_op_id", sa.Integer), sa.column("system", sa.String))
    op.execute(job.update().values(system=sa.select(labor.c.system).where(labor.c.id == job.c.labor_op_id)
                                   .scalar_subquery()).where(job.c.labor_op_id.is_not(None)))


def downgrade() -> None:
    op.drop_column("repair_order", "sanbao_status")
    op.drop_column("job", "system")
    op.drop_column("labor_operation", "system")
