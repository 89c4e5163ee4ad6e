"""One rule for what an order bills (issue 16, item 3).

For random orders built through the real services (jobs and part lines with random pay
types, hours, rates, quantities and prices; some declined at the desk, some additional
work proposed in the workshop and approved or declined, some left undecided for a while;
a discount within the advisor's authority) every place that shows what the order comes to
agrees to the fen, at every step: the estimate screen's live preview (with edits not saved
yet), the service totals, the approvals queue, the work order and the settlement as
printed (the snapshot the PDF is drawn from, and its lines), the cashier's settlement view
and its live preview, the settlement itself, and the manager's report of the day. The
figures are also checked against lines the test itself knows to bill, so agreeing on a
wrong rule would not pass either.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from frontdesk.model.enums import OrderStatus, PaymentMethod, PayType, Role
from frontdesk.screens import estimate as estimate_screen
from frontdesk.services import (
    approval_views,
    cashier_views,
    checkin,
    delivery,
    desk,
    documents,
    estimate,
    reports,
    settlement,
    workshop,
)
from frontdesk.services.money import ZERO, Totals, labor_amount, line_amount, round_money

from .factories import Shop, seed_shop

PAYS = list(PayType)
_serial = itertools.count(1)


# What the test builds -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartSpec:
    part: int  # 0, 1, 2: the shop's oil filter, engine oil, brake pads
    qty: str
    price: str | None  # None: the catalog price
    pay: PayType


@dataclass(frozen=True)
class Edit:
    """A change typed (or a pay type cycled) on the estimate screen, not saved yet."""

    qty: str | None
    price: str | None
    pay: PayType | None


@dataclass(frozen=True)
class JobSpec:
    pay: PayType
    hours: str
    rate: str | None  # None: the pay type's rate from the settings
    declined: bool
    parts: tuple[PartSpec, ...]
    edit: Edit | None = None
    part_edits: tuple[Edit | None, ...] = ()


@dataclass(frozen=True)
class Additional:
    pay: PayType
    hours: str
    parts: tuple[tuple[int, str], ...]
    approved: bool


@dataclass(frozen=True)
class OrderSpec:
    jobs: tuple[JobSpec, ...]
    loose_parts: tuple[PartSpec, ...]  # on no job
    additional: tuple[Additional, ...]
    discount_per_mille: int  # of the customer share, within the advisor's 5 %
    loose_edits: tuple[Edit | None, ...] = field(default=())


def _amount(lo: int, hi: int) -> st.SearchStrategy[str]:
    """A desk-typed number with up to two decimals, lo/100 .. hi/100."""
    return st.integers(lo, hi).map(lambda n: str(Decimal(n) / 100))


hours = _amount(0, 1200)
rates = st.none() | _amount(0, 60000)
qtys = _amount(1, 800)
prices = st.none() | _amount(0, 150000)
pays = st.sampled_from(PAYS)
part_specs = st.builds(PartSpec, part=st.integers(0, 2), qty=qtys, price=prices, pay=pays)
edits = st.none() | st.builds(Edit, qty=st.none() | hours, price=st.none() | _amount(0, 60000), pay=st.none() | pays)
part_edits = st.none() | st.builds(Edit, qty=st.none() | qtys, price=st.none() | _amount(0, 150000), pay=st.none() | pays)


@st.composite
def job_specs(draw: st.DrawFn) -> JobSpec:
    parts = tuple(draw(st.lists(part_specs, max_size=2)))
    return JobSpec(pay=draw(pays), hours=draw(hours), rate=draw(rates), declined=draw(st.booleans()), parts=parts,
                   edit=draw(edits), part_edits=tuple(draw(part_edits) for _ in parts))


@st.composite
def order_specs(draw: st.DrawFn) -> OrderSpec:
    jobs = draw(st.lists(job_specs(), min_size=1, max_size=4))
    if all(j.declined for j in jobs):  # an estimate with nothing to sign cannot be signed
        jobs[0] = replace(jobs[0], declined=False)
    loose = tuple(draw(st.lists(part_specs, max_size=2)))
    additional = tuple(draw(st.lists(st.builds(
        Additional, pay=pays, hours=hours, parts=st.lists(st.tuples(st.integers(0, 2), qtys), max_size=2).map(tuple),
        approved=st.booleans()), max_size=2)))
    return OrderSpec(tuple(jobs), loose, additional, draw(st.integers(0, 50)),
                     tuple(draw(part_edits) for _ in loose))


# A job with a rate of its own whose pay type is "changed" to the one it has: on main the screen
# previewed the rate kept while the service put the pay type's standard rate in its place.
SAME_PAY_KEEPS_ITS_RATE = OrderSpec(
    jobs=(JobSpec(PayType.CUSTOMER, "2", "123.45", False, (PartSpec(0, "1", None, PayType.CUSTOMER),),
                  edit=Edit(None, None, PayType.CUSTOMER), part_edits=(None,)),),
    loose_parts=(), additional=(Additional(PayType.WARRANTY, "1.5", ((2, "1"),), approved=True),),
    discount_per_mille=50,
)


# The checks ------------------------------------------------------------------------------------------


def figures(t: Totals) -> dict[str, object]:
    """Everything a total says, per payer and overall, to compare two of them at once."""
    return {
        "overall": (t.labor, t.parts, t.gross, t.discount, t.net, t.tax, t.customer_payable),
        "by_pay_type": {p.value: (x.labor, x.parts, x.gross, x.discount, x.net, x.tax) for p, x in t.by_pay_type.items()},
    }


def printed(doc_totals) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "overall": (doc_totals.labor, doc_totals.parts, doc_totals.gross, doc_totals.discount, doc_totals.net,
                    doc_totals.tax, doc_totals.customer_payable),
        "by_pay_type": {x.pay_type: (x.labor, x.parts, x.gross, x.discount, x.net, x.tax) for x in doc_totals.by_pay_type},
    }


def gross_by_payer(lines) -> dict[str, tuple[Decimal, Decimal]]:  # type: ignore[no-untyped-def]
    """(labor, parts) per pay type of printed or shown lines."""
    out: dict[str, tuple[Decimal, Decimal]] = {}
    for ln in lines:
        pay = ln.pay_type.value if isinstance(ln.pay_type, PayType) else ln.pay_type
        labor, parts = out.get(pay, (ZERO, ZERO))
        out[pay] = (labor + ln.amount, parts) if ln.kind == "labor" else (labor, parts + ln.amount)
    return out


def expected_gross(view: desk.OrderView, billing_jobs: set[int]) -> dict[str, tuple[Decimal, Decimal]]:
    """The test's own idea of the bill: the lines of the jobs it knows to bill, and loose parts."""
    return gross_by_payer(ln for ln in view.lines
                          if (ln.job_id in billing_jobs) or (ln.kind == "part" and ln.job_id is None))


def check_work_order(services, order_id: int, service: Totals) -> None:  # type: ignore[no-untyped-def]
    doc = documents.build(services, "work-order", order_id=order_id)
    assert printed(doc.totals) == figures(service)
    assert gross_by_payer(doc.lines) == {p.value: (t.labor, t.parts) for p, t in service.by_pay_type.items()}


# The test --------------------------------------------------------------------------------------------


@pytest.fixture
def shop(services, admin, actors) -> Shop:  # type: ignore[no-untyped-def]
    return seed_shop(services, admin, actors)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@example(spec=SAME_PAY_KEEPS_ITS_RATE)
@given(spec=order_specs())
def test_every_figure_of_an_order_agrees_to_the_fen(services, actors, shop, clock, spec: OrderSpec) -> None:
    adv, sup, tech, lead, qc, cash, manager = (actors[r] for r in (
        Role.ADVISOR, Role.SUPERVISOR, Role.TECHNICIAN, Role.TEAM_LEADER, Role.QC, Role.CASHIER, Role.MANAGER))
    part_ids = (shop.oil_filter, shop.engine_oil, shop.brake_pads)
    clock.now = dt.datetime.combine(clock.now.date() + dt.timedelta(days=1), dt.time(9))  # one order a day
    day = clock.now.date()
    n = next(_serial)
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "138 0013 8000"))
    vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate=f"粤B{n:05d}", vin=f"LSVAU03361{n:07d}", make="大众", model="朗逸", confirm_vin_check_digit=True))
    order_id = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle.id, odometer_km=15230, fuel_eighths=4, concerns="做保养")).id
    checkin.record_walkaround(services, adv, order_id, checkin.WalkaroundInput(signed_by="张伟"))

    # The estimate, as the advisor writes it.
    jobs: list[tuple[int, JobSpec, list[int]]] = []
    for j in spec.jobs:
        job_id = estimate.add_job(services, adv, order_id, description="检查", hours=j.hours, pay_type=j.pay).id
        if j.rate is not None:
            estimate.update_job(services, adv, order_id, job_id, rate=j.rate)
        lines = [estimate.add_part(services, adv, order_id, part_id=part_ids[p.part], qty=p.qty, pay_type=p.pay,
                                   job_id=job_id, unit_price=p.price).id for p in j.parts]
        jobs.append((job_id, j, lines))
    loose = [estimate.add_part(services, adv, order_id, part_id=part_ids[p.part], qty=p.qty, pay_type=p.pay,
                               unit_price=p.price).id for p in spec.loose_parts]
    for job_id, j, _lines in jobs:
        if j.declined:
            estimate.decline_job(services, adv, order_id, job_id)

    # The screen's live preview of edits not saved yet, then the same edits saved.
    view = desk.order_view(services, order_id)
    assert figures(estimate_screen.preview_totals(view, {}, services.settings)) == figures(view.totals)
    overrides: dict[str, estimate_screen.Override] = {}
    saves = []
    for job_id, j, lines in jobs:
        if j.declined:  # the screen edits no declined line
            continue
        if j.edit is not None:
            overrides[f"j{job_id}"] = estimate_screen.Override(
                None if j.edit.qty is None else Decimal(j.edit.qty), None if j.edit.price is None else Decimal(j.edit.price),
                None if j.edit.pay is None else j.edit.pay.value)
            saves.append((estimate.update_job, job_id, {"hours": j.edit.qty, "rate": j.edit.price, "pay_type": j.edit.pay}))
        for line_id, e in zip(lines, j.part_edits):
            if e is not None:
                overrides[f"p{line_id}"] = estimate_screen.Override(
                    None if e.qty is None else Decimal(e.qty), None if e.price is None else Decimal(e.price),
                    None if e.pay is None else e.pay.value)
                saves.append((estimate.update_part, line_id, {"qty": e.qty, "unit_price": e.price, "pay_type": e.pay}))
    for line_id, e in zip(loose, spec.loose_edits):
        if e is not None:
            overrides[f"p{line_id}"] = estimate_screen.Override(
                None if e.qty is None else Decimal(e.qty), None if e.price is None else Decimal(e.price),
                None if e.pay is None else e.pay.value)
            saves.append((estimate.update_part, line_id, {"qty": e.qty, "unit_price": e.price, "pay_type": e.pay}))
    preview = estimate_screen.preview_totals(view, overrides, services.settings)
    for fn, line_id, changes in saves:
        fn(services, adv, order_id, line_id, **{k: v for k, v in changes.items() if v is not None})
    view = desk.order_view(services, order_id)
    assert figures(preview) == figures(view.totals), "the preview is not what the saved edits come to"
    at_the_desk = {job_id for job_id, j, _l in jobs if not j.declined}  # proposed work bills on an estimate
    assert expected_gross(view, at_the_desk) == {p.value: (t.labor, t.parts) for p, t in view.totals.by_pay_type.items()}
    check_work_order(services, order_id, view.totals)

    # Signed, in the workshop; additional work found, waiting for the customer's answer.
    estimate.set_terms(services, adv, order_id, payment_method="wechat", old_parts="take", wash=False,
                       promised_at=clock() + dt.timedelta(hours=6))
    estimate.authorise(services, adv, order_id, "张伟")
    signed = desk.order_view(services, order_id).totals
    assert figures(signed) == figures(view.totals)
    workshop.dispatch(services, sup, order_id, {job_id: shop.tech_a for job_id in at_the_desk})
    for job_id in at_the_desk:
        workshop.start_job(services, tech, job_id)
    proposed = [(workshop.propose_additional(services, tech, order_id, description="增项", hours=a.hours, pay_type=a.pay,
                                             parts=tuple((part_ids[p], q) for p, q in a.parts)).id, a)
                for a in spec.additional]
    waiting = desk.order_view(services, order_id)
    assert figures(waiting.totals) == figures(signed), "undecided additional work is billed"
    queue = approval_views.approvals_queue(services, adv)
    for item in (i for i in queue.waiting if i.order_id == order_id):
        assert item.order_total == signed.gross
    check_work_order(services, order_id, waiting.totals)
    for job_id, a in proposed:
        workshop.record_decision(services, adv, job_id, approved=a.approved, decided_by="张伟")
    billing_jobs = at_the_desk | {job_id for job_id, a in proposed if a.approved}
    extra = [job_id for job_id, a in proposed if a.approved]
    if extra:  # approved extra work goes to the technician who has the car: no second dispatch
        for job_id in extra:
            workshop.start_job(services, tech, job_id)
    running = (extra or list(at_the_desk))[-1]  # one job at a time: each start paused the one before
    for job_id in billing_jobs:
        if job_id != running:
            workshop.resume_job(services, tech, job_id)
        running = None
        workshop.finish_job(services, tech, job_id, unissued_reason="not_needed")
        workshop.self_check(services, tech, job_id)
        workshop.leader_check(services, lead, job_id)
        workshop.final_qc(services, qc, job_id, passed=True)
    done = desk.order_view(services, order_id)
    assert done.status == OrderStatus.READY
    assert expected_gross(done, billing_jobs) == {p.value: (t.labor, t.parts) for p, t in done.totals.by_pay_type.items()}

    # Delivered and settled with a discount within the advisor's authority.
    delivery.tick_internal(services, qc, order_id, list(delivery.INTERNAL_ITEMS))
    delivery.tick_walkthrough(services, adv, order_id, list(delivery.WALKTHROUGH_ITEMS))
    delivery.deliver(services, adv, order_id)
    before = cashier_views.settlement_view(services, adv, order_id)
    assert figures(before.totals) == figures(done.totals)
    discount = round_money(before.customer_gross * spec.discount_per_mille / 1000)
    live = cashier_views.preview_totals(before, discount)  # the settlement form's totals as the discount is typed
    settlement.prepare_settlement(services, adv, order_id, settlement.SettlementInput(discount=discount, safety_ack_by="张伟"))
    settled = desk.order_view(services, order_id).totals
    assert settled.discount == discount
    assert figures(live) == figures(settled), "the settlement form's preview is not what was settled"
    view_after = cashier_views.settlement_view(services, cash, order_id)
    assert figures(view_after.totals) == figures(settled)
    assert view_after.customer_payable == settled.customer_payable  # the settlement's own snapshot
    assert [(g.pay_type, g.net) for g in view_after.groups] == [(p, t.net) for p, t in settled.by_pay_type.items()]
    assert gross_by_payer(ln for g in view_after.groups for ln in g.lines) == {
        p.value: (t.labor, t.parts) for p, t in settled.by_pay_type.items()}
    if view_after.due:
        settlement.take_payment(services, cash, order_id, PaymentMethod.CARD, str(view_after.due))
    settlement.issue_gate_pass(services, cash, order_id)

    # The settlement as printed, and the manager's report of the day.
    doc = documents.build(services, "settlement", order_id=order_id)
    assert printed(doc.totals) == figures(settled)
    assert gross_by_payer(doc.lines) == {p.value: (t.labor, t.parts) for p, t in settled.by_pay_type.items()}
    row = reports.report(services, manager, day, day).total
    assert row.revenue_orders == 1
    assert (row.labor, row.parts, row.gross, row.discount, row.net, row.tax, row.customer_payable) == \
        figures(settled)["overall"]
    assert {p.pay_type.value: (p.labor, p.parts, p.gross, p.discount, p.net, p.tax) for p in row.by_pay_type if p.orders} \
        == figures(settled)["by_pay_type"]
    assert row.hours_sold == sum((ln.quantity for ln in done.lines if ln.kind == "labor" and ln.id in billing_jobs), ZERO)


# The rule a pay type brings its rate by, where the screen takes it in several steps ------------------


def test_pay_type_cycled_back_previews_the_rate_the_service_saves(services, actors, shop) -> None:  # type: ignore[no-untyped-def]
    """Five presses of P come back to the job's pay type: at its standard rate, not the one typed before.

    The screen saves every press in turn, so each new pay type brings its rate; the preview
    follows the same steps (``estimate_screen.cycle_pay``).
    """
    adv = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "138 0013 8000"))
    vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate="粤B00000", vin="LSVAU033610000000", make="大众", model="朗逸", confirm_vin_check_digit=True))
    order_id = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle.id, odometer_km=100, fuel_eighths=4, concerns="做保养")).id
    job_id = estimate.add_job(services, adv, order_id, description="检查", hours="2").id
    estimate.update_job(services, adv, order_id, job_id, rate="123.45")
    before = desk.order_view(services, order_id)
    line = next(ln for ln in before.lines if ln.id == job_id and ln.kind == "labor")
    override = None
    for _ in estimate_screen.PAY_CYCLE:
        override = estimate_screen.cycle_pay(line, override, services.settings)
        assert override.pay_type is not None
        estimate.update_job(services, adv, order_id, job_id, pay_type=override.pay_type)
    assert override is not None and override.pay_type == line.pay_type
    view = desk.order_view(services, order_id)
    saved = next(ln for ln in view.lines if ln.id == job_id and ln.kind == "labor")
    assert saved.unit_price == services.settings.labor_rate(line.pay_type) != Decimal("123.45")
    _q, price, amount, _p = estimate_screen.shown(line, override, services.settings)
    assert (price, amount) == (saved.unit_price, labor_amount(Decimal(2), saved.unit_price))
    assert figures(estimate_screen.preview_totals(before, {f"j{job_id}": override}, services.settings)) == figures(view.totals)


def test_the_same_pay_type_keeps_a_typed_rate(services, actors, shop) -> None:  # type: ignore[no-untyped-def]
    """Saving a job with the pay type it already has is not a new pay type: its rate stays."""
    adv = actors[Role.ADVISOR]
    customer = checkin.save_customer(services, adv, checkin.CustomerInput("张伟", "138 0013 8000"))
    vehicle = checkin.save_vehicle(services, adv, customer.id, checkin.VehicleInput(
        plate="粤B00001", vin="LSVAU033610000001", make="大众", model="朗逸", confirm_vin_check_digit=True))
    order_id = checkin.check_in(services, adv, checkin.CheckInInput(
        vehicle_id=vehicle.id, odometer_km=100, fuel_eighths=4, concerns="做保养")).id
    job_id = estimate.add_job(services, adv, order_id, description="检查", hours="2", pay_type="warranty").id
    estimate.update_job(services, adv, order_id, job_id, rate="99.99")
    view = desk.order_view(services, order_id)
    preview = estimate_screen.preview_totals(view, {f"j{job_id}": estimate_screen.Override(pay_type="warranty")},
                                             services.settings)
    estimate.update_job(services, adv, order_id, job_id, pay_type="warranty")
    after = desk.order_view(services, order_id)
    assert after.totals.gross == line_amount(Decimal(2), Decimal("99.99")) == preview.gross
    estimate.update_job(services, adv, order_id, job_id, pay_type="customer")  # a new one brings its rate
    job = next(ln for ln in desk.order_view(services, order_id).lines if ln.id == job_id and ln.kind == "labor")
    assert job.unit_price == services.settings.labor_rate("customer")
