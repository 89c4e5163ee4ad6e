"""Every service × every role: allowed, or PermissionDenied before anything is read or written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from frontdesk.model import AuditEvent
from frontdesk.model.enums import Role
from frontdesk.services import (  # noqa: F401  (every module that registers services)
    aftercare, approvals, audit, auth, catalog, checkin, data_exports, delivery, estimate, exports, imports, part_orders, pickup, settlement,
    settings, staff, workshop,
)
from frontdesk.services import reception  # noqa: F401  (issue 20: the arrival register)
from frontdesk.services import campaign_import, campaigns  # noqa: F401  (issue 20: recall/service campaigns)
from frontdesk.services import package_files, packages  # noqa: F401  (issue 19: service packages)
from frontdesk.services import (  # noqa: F401  (issue 21: money owed to the store)
    account_statement, accidents, accounts, claim_export, ledger, old_parts, receivables, recommendations,
    warranty_claims,
)
from frontdesk.config import Settings
from frontdesk.services.context import REGISTRY, Services
from frontdesk.services.setup import ensure_store, system_actor

from .conftest import make_actors
from frontdesk.services.errors import PermissionDenied, ValidationError

# The role table as the dealership runs it (a = advisor, s = supervisor, l = team leader,
# t = technician, q = QC, c = cashier, m = manager, x = admin).
CODES = {"a": Role.ADVISOR, "s": Role.SUPERVISOR, "l": Role.TEAM_LEADER, "t": Role.TECHNICIAN,
         "q": Role.QC, "c": Role.CASHIER, "m": Role.MANAGER, "x": Role.ADMIN, "r": Role.RECEPTIONIST,
         "w": Role.CLAIMS_CLERK, "i": Role.INSURANCE_CLERK}
EXPECTED = {
    "customer.save": "am", "vehicle.save": "am",
    "appointment.book": "am", "appointment.move": "am", "appointment.cancel": "am", "appointment.remind": "am",
    "order.check_in": "am", "order.walkaround": "am", "order.update_check_in": "am",
    "estimate.add_job": "am", "estimate.add_part": "am", "estimate.update_job": "am",
    "estimate.update_part": "am", "estimate.remove_line": "am", "estimate.decline_job": "am",
    "estimate.terms": "am", "order.authorise": "am", "order.reopen_estimate": "am", "order.cancel": "am",
    "estimate.add_package": "am",  # a service package on the estimate (issue 19)
    "arrival.register": "rasm", "arrival.take": "am", "arrival.assign": "sm",  # r = receptionist (issue 20)
    "campaign.import": "xm", "campaign.add_to_order": "am", "campaign.close": "am",  # recalls (issue 20)
    "campaign.export": "am",  # the call list: names and phones, audited
    "order.dispatch": "sm", "job.assign": "slm",
    "job.start": "sltm", "job.pause": "sltm", "job.resume": "sltm", "job.finish": "sltm", "parts.issue": "sltm",
    "parts.request": "sltm", "parts.order": "sm", "parts.receive": "sm",
    "job.propose": "sltqm", "job.decide": "am", "order.reschedule": "asm",
    "job.self_check": "tl", "job.leader_check": "ls", "job.qc": "qm",
    "order.wash": "sltqm", "order.reopen_workshop": "sqm",
    "recommendation.add": "asltqm", "recommendation.accept": "am", "recommendation.book": "am",
    "recommendation.decline": "am",
    "delivery.internal_check": "asqm", "delivery.walkthrough": "am", "order.deliver": "am", "order.agree_pickup": "am",
    "settlement.prepare": "acm", "payment.take": "cm", "payment.round_off": "cm", "payment.refund": "cm", "payment.void": "cm",
    "credit.approve": "cm", "gate_pass.issue": "cm",
    "followup.record": "am", "followup.close": "m", "complaint.open": "acm", "complaint.update": "m", "reminder.record": "am",
    "report.export": "ascm",
    "user.add": "x", "user.update": "x", "user.set_password": "x",
    "team.save": "xs", "catalog.save": "xm", "stock.adjust": "xm",
    "catalog.import": "xm", "data.export": "acmx", "customer.export": "m", "settings.save": "xm",
    "role.discount_authority": "x", "audit.export": "mx",
    # Issue 21 (w = claims clerk 索赔员, i = insurance clerk 保险专员): accounts, the ledger, claims, old parts
    "account.save": "mx", "account.suspend": "m", "account.charge": "cm", "account.statement": "cm",
    "remittance.apply": "cmiw", "receivable.follow_up": "cmiw", "receivable.view": "cmiw", "receivable.add": "cmw",
    "receivable.write_off": "m",
    "accident.edit": "ami",
    "warranty_claim.edit": "wm", "warranty_claim.decide": "wm", "warranty_claim.reassign": "m",
    "warranty_claim.export": "wm", "goodwill.approve": "m",
    "old_part.record": "wm", "old_part.ship": "wm",
}

CASES = [(name, role) for name in sorted(REGISTRY) for role in Role]


@pytest.fixture(scope="module")
def shared(module_database):
    """Users of every role on one database: these tests write nothing, so they share it."""
    svc = Services(db=module_database, settings=Settings(), clock=lambda: dt.datetime(2026, 11, 24, 9, 0))
    return svc, make_actors(svc, system_actor(ensure_store(svc)))


def test_every_service_has_an_expected_row():
    assert {fn.action for fn in REGISTRY.values()} == set(EXPECTED)


@pytest.mark.parametrize("name,role", CASES, ids=[f"{n.rsplit('.', 1)[1]}-{r.value}" for n, r in CASES])
def test_service_role_matrix(shared, name: str, role: Role):
    services, actors = shared
    fn = REGISTRY[name]
    allowed = role in {CODES[c] for c in EXPECTED[fn.action]}
    before = _audits(services)
    if allowed:
        # Allowed roles get past the guard: the call then fails only for lack of arguments
        # (take-next needs none: it is refused for the empty queue).
        with pytest.raises(ValidationError if name.endswith(".take_next") else TypeError):
            fn(services, actors[role])
    else:
        with pytest.raises(PermissionDenied):
            fn(services, actors[role])
    assert _audits(services) == before  # nothing written either way


def _audits(services) -> int:
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))
