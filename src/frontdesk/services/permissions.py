"""Who may do what: one table, read by the service decorator, the UI and the tests."""

from __future__ import annotations

from frontdesk.model.enums import Role

A, S, L, T, Q, C, M, X = (
    Role.ADVISOR,
    Role.SUPERVISOR,
    Role.TEAM_LEADER,
    Role.TECHNICIAN,
    Role.QC,
    Role.CASHIER,
    Role.MANAGER,
    Role.ADMIN,
)
R = Role.RECEPTIONIST  # 前台接待 (issue 20)
W = Role.CLAIMS_CLERK  # 索赔员 (issue 21)
I = Role.INSURANCE_CLERK  # 保险专员 (issue 21)  # noqa: E741

WORKSHOP = frozenset({S, L, T, M})

PERMISSIONS: dict[str, frozenset[Role]] = {
    # Reception
    "customer.save": frozenset({A, M}),
    "vehicle.save": frozenset({A, M}),
    "appointment.book": frozenset({A, M}),
    "appointment.move": frozenset({A, M}),
    "appointment.cancel": frozenset({A, M}),
    "appointment.remind": frozenset({A, M}),  # the reminder call the day before (services/capacity.py)
    "order.check_in": frozenset({A, M}),
    "order.walkaround": frozenset({A, M}),
    "order.update_check_in": frozenset({A, M}),
    "estimate.add_job": frozenset({A, M}),
    "estimate.add_part": frozenset({A, M}),
    "estimate.add_package": frozenset({A, M}),  # a service package's labour and parts as one change
    "estimate.update_job": frozenset({A, M}),
    "estimate.update_part": frozenset({A, M}),
    "estimate.remove_line": frozenset({A, M}),
    "estimate.decline_job": frozenset({A, M}),
    "estimate.terms": frozenset({A, M}),
    "order.authorise": frozenset({A, M}),
    "order.reopen_estimate": frozenset({A, M}),
    "order.cancel": frozenset({A, M}),
    # The arrival register and queue (services/reception.py): the receptionist registers, an advisor
    # takes the next customer, the desk lead (the workshop supervisor or the service manager) reassigns
    "arrival.register": frozenset({R, A, S, M}),
    "arrival.take": frozenset({A, M}),
    "arrival.assign": frozenset({S, M}),
    # Workshop
    "order.dispatch": frozenset({S, M}),
    "job.assign": frozenset({S, L, M}),
    "job.start": WORKSHOP,
    "job.pause": WORKSHOP,
    "job.resume": WORKSHOP,
    "job.finish": WORKSHOP,
    "parts.issue": WORKSHOP,
    "parts.request": WORKSHOP,
    "parts.order": frozenset({S, M}),
    "parts.receive": frozenset({S, M}),
    "job.propose": frozenset({S, L, T, Q, M}),
    "job.decide": frozenset({A, M}),
    "order.reschedule": frozenset({A, S, M}),
    "job.self_check": frozenset({T, L}),
    "job.leader_check": frozenset({L, S}),
    "job.qc": frozenset({Q, M}),
    "order.wash": frozenset({S, L, T, Q, M}),  # the QC inspector, at the end of the line, records it too
    "order.reopen_workshop": frozenset({S, Q, M}),
    # Recommendations: whoever finds something records it; the advisor puts them to the customer
    "recommendation.add": frozenset({A, S, L, T, Q, M}),
    "recommendation.accept": frozenset({A, M}),
    "recommendation.book": frozenset({A, M}),
    "recommendation.decline": frozenset({A, M}),
    # Delivery and cashier
    "delivery.internal_check": frozenset({A, S, Q, M}),
    "delivery.walkthrough": frozenset({A, M}),
    "order.deliver": frozenset({A, M}),
    "order.agree_pickup": frozenset({A, M}),  # 约定交车时间: the advisor agrees it with the customer
    "settlement.prepare": frozenset({A, C, M}),
    "payment.take": frozenset({C, M}),
    "payment.round_off": frozenset({C, M}),  # 抹零 within the store's setting, on the cashier's own authority
    "payment.refund": frozenset({C, M}),
    "payment.void": frozenset({C, M}),
    "credit.approve": frozenset({C, M}),  # a cashier records it with a manager's password on the spot
    "gate_pass.issue": frozenset({C, M}),
    # After the visit
    "followup.record": frozenset({A, M}),
    "followup.close": frozenset({M}),  # an escalated call given up on, with the reason
    "complaint.open": frozenset({A, C, M}),
    "complaint.update": frozenset({M}),
    "reminder.record": frozenset({A, M}),
    # Recall and service campaigns (召回/服务活动): the maker's list, by VIN
    "campaign.import": frozenset({X, M}),
    "campaign.add_to_order": frozenset({A, M}),
    "campaign.close": frozenset({A, M}),  # done elsewhere / not applicable, with the reason
    "campaign.export": frozenset({A, M}),  # the call list (names and phones), audited
    "campaign.view": frozenset({A, M}),
    # Money owed to the store (issue 21). Key accounts: the manager sets them up and suspends them,
    # the cashier charges an account vehicle's bill to its account and prints the statements.
    "account.view": frozenset({A, C, M, X}),  # the administrator sets accounts up with the manager
    "account.save": frozenset({M, X}),
    "account.suspend": frozenset({M}),
    "account.charge": frozenset({C, M}),  # over the credit limit with a manager's password on the spot
    "account.statement": frozenset({C, M}),
    # The receivables ledger: whoever collects applies what comes in; only the manager writes off
    "receivable.view": frozenset({C, M, I, W}),
    "receivable.add": frozenset({C, M, W}),
    "remittance.apply": frozenset({C, M, I, W}),
    "receivable.follow_up": frozenset({C, M, I, W}),
    "receivable.write_off": frozenset({M}),
    # Accident repairs (事故车): the advisor opens the record at check-in, the insurance clerk follows it
    "accident.view": frozenset({A, C, M, I}),
    "accident.edit": frozenset({A, M, I}),
    # Warranty claims to the maker (索赔) and the old-parts ledger (旧件台账)
    "warranty_claim.view": frozenset({W, M}),
    "warranty_claim.edit": frozenset({W, M}),
    "warranty_claim.decide": frozenset({W, M}),  # the maker's answer, recorded as it comes back
    "warranty_claim.reassign": frozenset({M}),  # a rejected claim's cost moved to the dealer or the customer
    "warranty_claim.export": frozenset({W, M}),
    "goodwill.approve": frozenset({M}),  # 善意保修: the split between customer, maker and dealer
    "old_part.record": frozenset({W, M}),  # tagged from the claim, which is the claims clerk's
    "old_part.ship": frozenset({W, M}),
    # 三包: the watch list of cars near a threshold
    "sanbao.view": frozenset({A, M, W}),
    # Reports (the figures are read-only; writing them out to a file is audited)
    "report.export": frozenset({A, S, C, M}),
    # Administration
    "user.add": frozenset({X}),
    "user.update": frozenset({X}),
    "user.set_password": frozenset({X}),
    "team.save": frozenset({X, S}),
    "catalog.save": frozenset({X, M}),
    "stock.adjust": frozenset({X, M}),
    "catalog.import": frozenset({X, M}),  # a maker's price list or labor-time table, in one transaction
    "data.export": frozenset({A, C, M, X}),  # orders for a date range, the catalogs
    "customer.export": frozenset({M}),  # personal data: the service manager only, audited
    "settings.save": frozenset({X, M}),
    "role.discount_authority": frozenset({X}),
    "audit.export": frozenset({M, X}),  # an order's full history written to a file
    # Looking only (screens that change nothing themselves; what they open is guarded on its own)
    "catalog.view": frozenset({X, M, A, S}),  # the advisor and the supervisor look prices and stock up
    "audit.view": frozenset({A, C, M, X}),  # an order's history
}

# Acts that need a manager's own password on the spot, whoever operates the terminal.
MANAGER_OVERRIDES = frozenset({"discount.override", "payment.refund", "payment.void", "credit.approve"})


def allowed(role: Role, action: str) -> bool:
    return role in PERMISSIONS[action]
