"""The money owed to the demo store (issue 21): key accounts, insurers and the maker, and how they pay.

``frontdesk demo`` plays years of history in batches; this module rides along with it:

* before the history, five accounts (a government office, a taxi company, a hospital, a
  logistics fleet, a key customer) with their cars, drivers, limits, terms and agreed
  discounts; a few of each day's cars are theirs (``pick``), and their bills are charged to
  the account at settlement (``charge``) instead of being paid at the counter;
* every receivable gets its fate when it appears (``plan``): when its payer pays, all or
  short, or never; the money then comes in on its day (``day``), one transfer paying several
  orders, as a cashier would record it.

The records are written the demo's way (added to the batch, written in bulk with its audit
events, sealed in the chain in order), not through one service call each: a ten-year store
has tens of thousands of them, and the demo's time budget is spent already. Their shapes and
audit payloads are the ledger's (services/ledger.py), so the screens read them as their own.
Its own random stream leaves the rest of the store as it was, bar the cars it takes.
"""

from __future__ import annotations

import datetime as dt
import heapq
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from frontdesk.i18n import gettext as _
from frontdesk.model import Receivable, RepairOrder
from frontdesk.model.accident import DOCUMENTS, AccidentClaim, AccidentSupplement
from frontdesk.model.account import Account, AccountDriver, AccountKind, AccountVehicle
from frontdesk.model.enums import OrderStatus, PayerKind, PaymentMethod, PayType
from frontdesk.model.old_part import OldPart, OldPartShipment, OldPartState
from frontdesk.model.payment import Allocation, Remittance
from frontdesk.model.warranty import ClaimState, WarrantyClaim, WarrantyClaimRevision

from . import checkin, settlement, warranty_claims
from .context import NEW_RECORDS, Actor, unflushed
from .demo_sources import (
    VEHICLE_MODELS,
    model_year_of,
    random_mobile,
    random_person_name,
    random_plate,
    random_vin_body,
)
from .lifecycle import transition_order
from .settlement import Settled
from .validation import with_check_digit

if TYPE_CHECKING:
    from .demo import _Generator, _Vehicle

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Real insurers a Guangzhou workshop bills (short names, as on their assessment sheets); the large ones most often.
INSURERS = ("中国人保财险", "平安产险", "太平洋产险", "中华联合财险", "大地保险", "国寿财险", "阳光产险", "太平财险")
INSURER_WEIGHTS = (30, 26, 16, 6, 6, 7, 5, 4)
SHORT_REASONS = ("保险公司核减，差额核销", "定损外项目不予赔付，差额核销")
REPORT_PREFIX = {"中国人保财险": "RDAA", "平安产险": "9050", "太平洋产险": "APIC", "中华联合财险": "CICP",
                 "大地保险": "CCIC", "国寿财险": "GPIC", "阳光产险": "SGIC", "太平财险": "TPIC"}  # 报案号 as each prints it
CAUSES = ("密封件老化导致渗漏", "电子元件内部短路", "轴承早期磨损异响", "传感器信号漂移", "焊点虚焊接触不良")
RETURN_REASONS = ("缺少故障件照片，请补充后重新提交", "工时代码与维修项目不符", "行驶里程照片不清晰")
REJECT_REASONS = ("非质量问题：外力损伤所致", "超出整车质保期", "加装改装导致的故障不在保修范围")
ACCOUNT_SHARE = 0.035  # of the cars that come in, the accounts' (a taxi fleet comes often)


@dataclass(frozen=True)
class DemoAccount:
    code: str
    name: str
    kind: AccountKind
    contact: str
    credit_limit: int
    terms_days: int
    monthly: bool
    labour: str  # agreed discounts, 0.10 = 10 %
    parts: str
    cars: int
    tax_id: str
    pays_after: tuple[int, int]  # days after its statement (or the charge) that its transfer comes in
    km_per_day: tuple[int, int] = (40, 90)
    suspended: bool = False  # stopped paying; suspended a few weeks ago
    over_limit: bool = False  # charged beyond its limit with the manager's approval


DEMO_ACCOUNTS = (
    DemoAccount("GOV001", "广州市天河区机关事务管理局", AccountKind.GOVERNMENT, "黄志明", 20000, 60, True, "0.10", "0.05",
                8, "11440106MB2C12345X", (25, 45), over_limit=True),
    DemoAccount("FLT001", "广州市安达出租汽车有限公司", AccountKind.FLEET, "陈永强", 12000, 15, False, "0.15", "0.08",
                15, "91440101MA59ABC12K", (6, 12), km_per_day=(250, 380)),
    DemoAccount("INS001", "广州市第一人民医院", AccountKind.INSTITUTION, "李慧敏", 50000, 45, True, "0.10", "0.05",
                6, "12440100455351234A", (70, 110)),
    DemoAccount("FLT002", "广州顺达物流有限公司", AccountKind.FLEET, "张伟", 40000, 30, True, "0.12", "0.06",
                5, "91440111MA5CXY789R", (30, 40), km_per_day=(150, 260), suspended=True),
    DemoAccount("KEY001", "广州华信科技有限公司", AccountKind.KEY, "刘洋", 30000, 30, True, "0.08", "0.00",
                3, "91440106MA9UQ4567T", (20, 35)),
)


@dataclass
class _Account:
    id: int
    spec: DemoAccount
    cars: list[_Vehicle] = field(default_factory=list)
    open: list[tuple[dt.date, Decimal]] = field(default_factory=list)  # what is charged and when it will be paid
    suspend_on: dt.date | None = None
    stop_paying_on: dt.date | None = None

    def owed_on(self, day: dt.date) -> Decimal:
        self.open = [(paid_on, amount) for paid_on, amount in self.open if paid_on > day]
        return sum((amount for _paid_on, amount in self.open), ZERO)


@dataclass(order=True)
class _Due:
    """One receivable's money, due to come in on ``on`` (``share`` of what is open), or written off."""

    on: dt.date
    seq: int
    payer_kind: PayerKind = field(compare=False)
    payer: str = field(compare=False)
    receivable: Receivable = field(compare=False)  # (its id known once its batch is written)
    share: Decimal = field(compare=False, default=Decimal(1))  # below 1: paid short
    account: _Account | None = field(compare=False, default=None)
    write_off: str = field(compare=False, default="")  # the reason, for what is left open
    accident: AccidentClaim | None = field(compare=False, default=None)  # stamped when its receivable closes


class MoneyDemo:
    def __init__(self, gen: _Generator, seed: int, first_day: dt.date, today: dt.date) -> None:
        self.gen, self.rng = gen, random.Random(seed * 41 + 21)
        self.first_day, self.today = first_day, today
        # A short demo plays the same story faster: payers pay sooner, so that a store of a few weeks
        # (the README's `--days 20`) already shows transfers, short payments and write-offs.
        self.pace = min(1.0, max(0.08, (today - first_day).days / 150))
        self.accounts: list[_Account] = []
        self.cars: list[_Vehicle] = []
        self.by_vehicle: dict[int, _Account] = {}
        self.due: list[_Due] = []  # a heap, the first day's money on top
        self.seq = 0
        self.seen = 0  # the highest receivable id planned already
        self.references = 0
        self.claims = 0
        self.tags = 0  # the old parts' running tag numbers (services/old_parts.py: J000001, …)
        self.shipments: dict[dt.date, OldPartShipment] = {}
        self.actors = gen.actors
        self.clerks = (gen.actors["claims"], gen.actors["insurance"])

    # Set-up ------------------------------------------------------------------------------

    def setup(self, manager: Actor, advisor: Actor) -> None:
        """The accounts, their customers, cars and drivers; written in the batch before the history (demo.py)."""
        s, rng, gen = self.gen.services, self.rng, self.gen
        span = (self.today - self.first_day).days
        session = gen.session
        from .demo import _Vehicle

        for spec in DEMO_ACCOUNTS:
            customer = checkin.save_customer(s, advisor, checkin.CustomerInput(spec.name, random_mobile(rng), is_company=True))
            account = Account(
                store_id=manager.store_id, code=spec.code, name=spec.name, kind=spec.kind, contact_name=spec.contact,
                contact_phone=random_mobile(rng), credit_limit=self.limit(spec), terms_days=spec.terms_days,
                monthly=spec.monthly, labour_discount=Decimal(spec.labour), parts_discount=Decimal(spec.parts),
                invoice_title=spec.name, tax_id=spec.tax_id, invoice_address="广州市天河区" + rng.choice(
                    ("体育西路", "天河北路", "黄埔大道西", "中山大道")) + f"{rng.randint(1, 300)}号",
                invoice_bank=rng.choice(("中国工商银行", "中国建设银行", "中国银行", "招商银行")) + "广州天河支行 "
                + "".join(rng.choice("0123456789") for _n in range(16)),
                note="", suspended_reason="", created_at=gen.now)
            session.add(account)
            if account.id is None:
                session.flush()  # (PostgreSQL: the batch hands out no ids itself)
            item = _Account(account.id, spec)
            if spec.suspended:
                item.suspend_on = self.first_day + dt.timedelta(days=max(1, span - 25 if span > 60 else span // 2))
                item.stop_paying_on = item.suspend_on - dt.timedelta(days=min(60, span // 3))
            self._audit(manager, "account.save", "account", account, after={
                "code": spec.code, "name": spec.name, "kind": spec.kind, "credit_limit": account.credit_limit,
                "terms_days": spec.terms_days, "monthly": spec.monthly, "labour_discount": account.labour_discount,
                "parts_discount": account.parts_discount})
            for _n in range(rng.randint(2, 4)):
                session.add(AccountDriver(account_id=account.id, name=random_person_name(rng), phone=random_mobile(rng),
                                          active=True))
            models = [m for m in VEHICLE_MODELS if m.make == "大众"] or list(VEHICLE_MODELS)
            for _n in range(spec.cars):
                model = rng.choice(models[:3] if spec.kind == AccountKind.FLEET else models)
                age = rng.randint(60, 4 * 365)
                sale = (gen.now - dt.timedelta(days=age)).date()
                while True:
                    plate = random_plate(rng, model.new_energy)
                    vin = with_check_digit(random_vin_body(rng, model, model_year=sale.year))
                    if plate not in gen.plates and vin not in gen.vins:  # type: ignore[attr-defined]
                        break
                gen.plates.add(plate)  # type: ignore[attr-defined]
                gen.vins.add(vin)  # type: ignore[attr-defined]
                vehicle = checkin.save_vehicle(s, advisor, customer.id, checkin.VehicleInput(
                    plate=plate, vin=vin, make=model.make, model=model.model, colour="白色", sale_date=sale,
                    new_energy=model.new_energy, model_year=model_year_of(vin)))
                km = rng.randint(*spec.km_per_day)
                car = _Vehicle(vehicle.id, spec.name, max(5, age * km), km, sale, model.make, model.model)
                session.add(AccountVehicle(account_id=account.id, store_id=manager.store_id, vehicle_id=vehicle.id,
                                           added_at=gen.now))
                item.cars.append(car)
                self.by_vehicle[vehicle.id] = item
            self._audit(manager, "account.save", "account", account, after={
                "vehicles": [c.id for c in item.cars]})
            self.accounts.append(item)
        self.cars = [c for a in self.accounts for c in a.cars]

    # During the history ------------------------------------------------------------------

    def pick(self, busy: set[int]) -> _Vehicle | None:
        """Now and then the car that comes in is an account's (the taxis most often)."""
        if not self.accounts or self.rng.random() >= ACCOUNT_SHARE:
            return None
        cars = self.cars
        for _try in range(3):
            car = self.rng.choice(cars)
            if car.id not in busy:
                return car
        return None

    def charge(self, order_id: int, vehicle_id: int, cashier: Actor, manager: Actor) -> bool:
        """An account car's bill goes on the account (as ``accounts.charge_to_account`` does); False: paid at the counter.

        A suspended account's driver pays at the counter; over the limit, the taxi company's
        charge goes through on the manager's approval, anyone else's is paid there and then.
        """
        item = self.by_vehicle.get(vehicle_id)
        if item is None:
            return False
        gen = self.gen
        day = gen.now.date()
        if item.suspend_on is not None and day >= item.suspend_on:
            return False
        order = gen.session.get(RepairOrder, order_id)
        assert order is not None
        due = settlement.amount_due(order)
        if due <= ZERO:
            return False
        approved_by = None
        owed = item.owed_on(day)
        if owed + due > self.limit(item.spec):
            if not item.spec.over_limit:
                return False
            approved_by = manager.user_id
        spec = item.spec
        statement_end = _month_end(day) if spec.monthly else day
        due_on = statement_end + dt.timedelta(days=spec.terms_days)
        receivable = Receivable(
            order_id=order.id, pay_type=PayType.CUSTOMER, payer_kind=PayerKind.ACCOUNT, account_id=item.id,
            payer_name=spec.name, amount=due, paid=ZERO, written_off=ZERO, reference=spec.code, created_at=gen.now,
            due_on=due_on)
        gen.session.add(receivable)
        order.account_id, order.account_charged = item.id, due
        transition_order(order, OrderStatus.SETTLED, gen.now)
        order.settled_at = gen.now
        self._audit(cashier, "account.charge", "repair_order", order, order_id=order, after={
            "charged_to_account": spec.code, "amount": due, "due_on": due_on, "balance_before": owed,
            "credit_limit": self.limit(spec), "over_limit_approved_by": approved_by, "status": order.status})
        paid_on = statement_end + self.lag(*spec.pays_after)
        if not spec.monthly and self.pace > 0.5:  # the taxi company pays weekly, on Mondays
            paid_on += dt.timedelta(days=(7 - paid_on.weekday()) % 7)
        if item.stop_paying_on is not None and paid_on >= item.stop_paying_on:
            paid_on = dt.date.max
        item.open.append((paid_on, due))
        self._push(_Due(paid_on, 0, PayerKind.ACCOUNT, spec.name, receivable, account=item))
        return True

    def settled(self, order_id: int, settled: Settled, customer: str) -> None:
        """The insurer's and the maker's receivables of a bill just settled: when each gets paid, and how much.

        Insurers pay most claims within one to three months, some short of the amount (the
        rest written off, or still argued about); the maker pays the approved claims of a month
        in the month after next; a few of each stay open to age.
        """
        if settled.total_amount - settled.discount <= settled.customer_amount:
            return  # the customer's bill alone (the common case: nothing to look for)
        session, rng = self.gen.session, self.rng
        found = unflushed(session, Receivable, order_id=order_id) if NEW_RECORDS in session.info else [
            r for r in session.new if isinstance(r, Receivable) and r.order_id == order_id] or list(
            session.scalars(select(Receivable).where(Receivable.order_id == order_id)))
        for receivable in found:
            made = receivable.created_at.date()
            if receivable.payer_kind == PayerKind.INSURER:
                if not receivable.payer_name:  # as the accident record names it
                    receivable.payer_name = rng.choices(INSURERS, weights=INSURER_WEIGHTS)[0]
                accident = self._accident(order_id, receivable, customer)
                roll = rng.random()
                if roll < 0.10:
                    continue  # still argued about, however old
                on = made + (self.lag(20, 75) if roll < 0.85 else self.lag(76, 160))
                if self.pace > 0.5:
                    on += dt.timedelta(days=(4 - on.weekday()) % 7)  # insurers pay on Fridays
                short = rng.random() < 0.25
                share = Decimal(rng.randint(85, 97)) / 100 if short else Decimal(1)
                if accident.papers_delivered_on is None:
                    accident.papers_delivered_on = min(on, made + self.lag(3, 12))
                    accident.papers_delivered_by = self.clerks[1].display_name
                    accident.documents = list(DOCUMENTS[:5])
                self._push(_Due(on, 0, PayerKind.INSURER, receivable.payer_name, receivable, share=share,
                                write_off=rng.choice(SHORT_REASONS) if short and rng.random() < 0.5 else "",
                                accident=accident))
            elif receivable.payer_kind == PayerKind.MAKER:
                self._claim(order_id, receivable)

    def day(self, day: dt.date, cashier: Actor, manager: Actor) -> None:
        """The money that comes in on ``day``, recorded by the cashier first thing in the morning."""
        if self.due and self.due[0].on <= day:
            todays: list[_Due] = []
            while self.due and self.due[0].on <= day:
                todays.append(heapq.heappop(self.due))
            self._receive(day, todays, cashier, manager)
        for item in self.accounts:
            if item.suspend_on == day:
                self._suspend(item, manager, day)

    def limit(self, spec: DemoAccount) -> Decimal:
        """The account's credit limit; a short demo's accounts owe less, so their limits are smaller."""
        return Decimal(max(1000, round(spec.credit_limit * self.pace, -3))).quantize(CENT)

    def lag(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=max(1, round(self.rng.randint(low, high) * self.pace)))

    # Writing -------------------------------------------------------------------------------

    def _push(self, due: _Due) -> None:
        if due.on > self.today:
            return  # not paid yet
        self.seq += 1
        due.seq = self.seq
        heapq.heappush(self.due, due)

    def _receive(self, day: dt.date, todays: list[_Due], cashier: Actor, manager: Actor) -> None:
        gen, session, rng = self.gen, self.gen.session, self.rng
        if any(d.receivable.id is None for d in todays):
            session.flush()  # (PostgreSQL: the batch hands out no ids itself)
        # This batch's own records as they are; earlier batches' loaded again, in one look.
        earlier = [d.receivable.id for d in todays if d.receivable not in session]
        records = {r.id: r for r in session.scalars(select(Receivable).where(Receivable.id.in_(earlier)))} if earlier else {}
        records.update((d.receivable.id, d.receivable) for d in todays if d.receivable in session)
        groups: dict[tuple[PayerKind, str], list[_Due]] = defaultdict(list)
        for due in todays:
            groups[(due.payer_kind, due.payer)].append(due)
        clock = dt.datetime.combine(day, dt.time(8, 35))
        for (kind, payer), dues in groups.items():
            found = [(d, records[d.receivable.id]) for d in dues]
            paying = [(d, r) for d, r in found if r.paid + r.written_off < r.amount]
            if not paying:
                continue
            amounts = [((r.amount - r.paid - r.written_off) * d.share).quantize(CENT, ROUND_DOWN) for d, r in paying]
            total = sum(amounts, ZERO)
            if total <= ZERO:  # nothing comes in: a rejected claim's cost moved to the dealer
                for due, receivable in paying:
                    if due.write_off:
                        self._write_off(receivable, due.write_off, manager, clock + dt.timedelta(hours=6))
                continue
            account = dues[0].account
            if kind == PayerKind.ACCOUNT and len(paying) > 1 and rng.random() < 0.15:
                total = _hundreds(total * Decimal("0.7")) or total  # part of the statement now
            sent = total
            if kind == PayerKind.ACCOUNT and rng.random() < 0.08:
                sent = _hundreds(total + 100)  # rounded up: the rest is the account's credit
            gen.now = clock = clock + dt.timedelta(minutes=rng.randint(2, 9))
            self.references += 1
            remittance = Remittance(
                store_id=cashier.store_id, payer_kind=kind, account_id=account.id if account else None, payer_name=payer,
                method=PaymentMethod.TRANSFER, amount=sent, applied=ZERO,
                reference=f"{day:%Y%m%d}{self.references:05d}", received_on=day, note="", recorded_by_id=cashier.user_id,
                recorded_at=clock)
            session.add(remittance)
            if remittance.id is None:
                session.flush()
            applied: list[dict[str, object]] = []
            left = total
            for (due, receivable), amount in zip(paying, amounts, strict=True):
                amount = min(amount, left)
                if amount <= ZERO:
                    if account is not None:  # the rest of the statement with the account's next transfer
                        self._push(_Due(day + dt.timedelta(days=30), 0, kind, payer, receivable, account=account))
                    continue
                left -= amount
                session.add(Allocation(remittance_id=remittance.id, receivable_id=receivable.id, amount=amount, at=clock,
                                       by_id=cashier.user_id))
                receivable.paid += amount
                remittance.applied += amount
                if receivable.paid + receivable.written_off >= receivable.amount:
                    receivable.closed_at = clock
                elif account is not None:
                    self._push(_Due(day + dt.timedelta(days=30), 0, kind, payer, receivable, account=account))
                applied.append({"receivable": receivable.id, "order": receivable.order_id, "amount": str(amount)})
            self._audit(cashier, "remittance.apply", "remittance", remittance, after={
                "payer_kind": kind, "payer": payer, "amount": sent, "reference": remittance.reference,
                "received_on": day, "applied": applied, "unapplied": sent - remittance.applied})
            for due, receivable in paying:
                if due.write_off and receivable.closed_at is None:
                    self._write_off(receivable, due.write_off, manager, clock + dt.timedelta(hours=6))
                if due.accident is not None and receivable.closed_at is not None:
                    self._stamp(due.accident, receivable, cashier)

    def _accident(self, order_id: int, receivable: Receivable, customer: str) -> AccidentClaim:
        """The accident record of an insurer's bill: report number, assessor, the assessment (some with a supplement)."""
        gen, rng = self.gen, self.rng
        order = gen.session.get(RepairOrder, order_id)
        assert order is not None
        insurer = receivable.payer_name
        checked_in = order.checked_in_at or gen.now
        accident_on = checked_in.date() - dt.timedelta(days=rng.randint(0, 4))
        supplement = (receivable.amount * Decimal(rng.randint(15, 40)) / 100).quantize(Decimal(1)) if (
            rng.random() < 0.3 and receivable.amount > 500) else ZERO
        claim = AccidentClaim(
            order_id=order_id, insurer=insurer, report_no=REPORT_PREFIX.get(insurer, "BA") + f"{accident_on:%Y}"
            + "".join(rng.choice("0123456789") for _n in range(14)), insured_name=customer,
            assessor=random_person_name(rng), assessed_amount=receivable.amount - supplement,
            customer_share=ZERO, accident_on=accident_on, documents=list(DOCUMENTS[:rng.randint(1, 4)]),
            papers_delivered_by="", papers_delivered_on=None, created_at=checked_in)
        gen.session.add(claim)
        if claim.id is None:
            gen.session.flush()  # (PostgreSQL: the batch hands out no ids itself)
        if supplement:
            gen.session.add(AccidentSupplement(
                claim_id=claim.id, amount=supplement, assessed_on=min(gen.now.date(), accident_on + dt.timedelta(days=3)),
                note=rng.choice(("拆检后发现内部损伤，追加定损", "追加更换支架及传感器")), by_id=self.clerks[1].user_id,
                at=gen.now))
        self._audit(self.clerks[1], "accident.edit", "accident_claim", claim, order_id=order_id, after={
            "insurer": insurer, "report_no": claim.report_no, "insured": customer, "assessor": claim.assessor,
            "assessed": claim.assessed_amount, "supplement": supplement, "accident_on": accident_on})
        return claim

    def _stamp(self, accident: AccidentClaim, receivable: Receivable, actor: Actor) -> None:
        """What the insurer paid against what was assessed, once its bill is closed (services/accidents.py)."""
        session = self.gen.session
        record = accident if accident in session else session.get(AccidentClaim, accident.id)
        assert record is not None
        record.paid_amount, record.closed_on = receivable.paid, self.gen.now.date()
        record.gap = receivable.amount - receivable.paid  # assessed (with supplements) − paid
        self._audit(actor, "remittance.apply", "accident_claim", record.id, order_id=record.order_id, after={
            "paid": record.paid_amount, "assessed": receivable.amount, "gap": record.gap, "closed_on": record.closed_on})

    def _claim(self, order_id: int, receivable: Receivable) -> None:
        """The maker's bill becomes a warranty claim, and its story is played to today: submitted (now and then
        returned and sent again), approved and paid, or rejected and its cost moved to the dealer; the newest
        are drafts (a few forgotten near or past their deadline). Its replaced parts are tagged and stored,
        then shipped back with the month's shipment or scrapped."""
        gen, rng, session = self.gen, self.rng, self.gen.session
        order = session.get(RepairOrder, order_id)
        assert order is not None
        if any(p.id is None for p in order.part_lines):
            session.flush()
        labour, parts = warranty_claims._warranty_lines(order)
        if not labour and not parts:
            return
        clerk, manager = self.clerks[0], self.actors["manager"]
        repair_on = (order.ready_at or gen.now).date()
        created = gen.now
        claim = WarrantyClaim(
            store_id=order.store_id, order_id=order_id, number=f"{order.number}-C", state=ClaimState.DRAFT, goodwill=False,
            version_no=1, fault=(order.concerns or "")[:500], mileage_km=order.odometer_km,
            cause=rng.choice(CAUSES), remedy="; ".join(x["description"] for x in labour)[:500], maker_ref="",
            labour=labour, parts=parts, claimed_amount=warranty_claims._lines_total(labour, parts), approved_amount=None,
            repair_on=repair_on, deadline=repair_on + dt.timedelta(days=gen.services.settings.warranty_claim_days),
            created_at=created, created_by_id=clerk.user_id, returned_reason="", rejected_reason="", reassign_reason="")
        session.add(claim)
        if claim.id is None:
            session.flush()
        after: dict[str, Any] = {"number": claim.number, "claimed": claim.claimed_amount, "deadline": claim.deadline}
        slow = rng.random() < 0.06  # left lying about: near or past its deadline
        submitted = repair_on + (dt.timedelta(days=rng.randint(20, 40)) if slow else self.lag(1, 10))
        steps: list[tuple[dt.date, str]] = [(submitted, "submitted")]
        self.claims += 1  # (by count: a short demo has every kind too)
        if self.claims % 5 == 2:  # one in five returned; half of those wait a while for the technician's photos
            returned = submitted + self.lag(3, 10)
            again = self.lag(1, 5) if self.claims % 10 == 2 else dt.timedelta(days=rng.randint(10, 30))
            steps += [(returned, "returned"), (returned + again, "submitted")]
        decided = steps[-1][0] + self.lag(7, 25)
        approved = self.claims % 8 != 4  # one in eight rejected
        steps.append((decided, "approved" if approved else "rejected"))
        if not approved:  # the manager moves the cost soon, or after arguing with the maker a while
            soon = self.claims % 16 == 4
            steps.append((decided + (self.lag(2, 10) if soon else dt.timedelta(days=rng.randint(15, 40))), "reassigned"))
        if self.claims % 40 == 17:  # forgotten: never sent, its deadline long past (the claims list shows it red)
            steps, approved = [], False
        done = [(day, step) for day, step in steps if day < self.today]
        for day, step in done:
            at = dt.datetime.combine(day, dt.time(10, rng.randint(0, 59)))
            if step == "submitted":
                if claim.state == ClaimState.RETURNED:
                    claim.version_no += 1
                    claim.cause += "（已补充故障照片及诊断报告）"
                claim.state, claim.submitted_at, claim.submitted_by_id = ClaimState.SUBMITTED, at, clerk.user_id
                claim.maker_ref = claim.maker_ref or f"SVW{day:%y%m}{rng.randrange(10**6):06d}"
                session.add(WarrantyClaimRevision(claim_id=claim.id, version_no=claim.version_no,
                                                  content=warranty_claims._content(claim), submitted_at=at,
                                                  submitted_by_id=clerk.user_id))
            elif step == "returned":
                claim.state, claim.returned_on = ClaimState.RETURNED, day
                claim.returned_reason = rng.choice(RETURN_REASONS)
            elif step == "approved":
                claim.state, claim.decided_on, claim.decided_by_id = ClaimState.APPROVED, day, clerk.user_id
                claim.approved_amount = claim.claimed_amount
            elif step == "rejected":
                claim.state, claim.decided_on, claim.decided_by_id = ClaimState.REJECTED, day, clerk.user_id
                claim.rejected_reason = rng.choice(REJECT_REASONS)
            else:
                claim.state, claim.reassigned_to, claim.reassigned_at = ClaimState.REASSIGNED, "dealer", at
                claim.reassigned_by_id, claim.reassign_reason = manager.user_id, "厂家拒赔，由本店承担"
                self._push(_Due(day, 0, PayerKind.MAKER, receivable.payer_name, receivable, share=ZERO,
                                write_off=_("claim {number} rejected, cost to the dealer: {reason}").format(
                                    number=claim.number, reason=claim.reassign_reason)))
        after.update(state=claim.state, steps=[(str(day), step) for day, step in done])
        self._audit(clerk, "warranty_claim.edit", "warranty_claim", claim, order_id=order_id, after=after)
        if approved:  # the maker pays a month's approved claims on the 20th of the month after
            month_after = _month_end(decided) + dt.timedelta(days=20)
            self._push(_Due(decided + dt.timedelta(days=max(1, round((month_after - decided).days * self.pace))), 0,
                            PayerKind.MAKER, receivable.payer_name, receivable))
        self._old_parts(order, claim, parts, approved, decided if steps else None)

    def _old_parts(self, order: RepairOrder, claim: WarrantyClaim, parts: list[dict[str, Any]], approved: bool,
                   decided: dt.date | None) -> None:
        gen, rng, session = self.gen, self.rng, self.gen.session
        clerk = self.clerks[0]
        for line in parts:
            self.tags += 1
            part = OldPart(
                store_id=order.store_id, order_id=order.id, claim_id=claim.id, part_line_id=line["part_line_id"],
                part_no=line["number"], name=line["name"], qty=Decimal(line["qty"]), tag=f"J{self.tags:06d}",
                location=f"旧件架 {rng.choice('ABCD')}-{rng.randint(1, 12)}", stored_at=gen.now, stored_by_id=clerk.user_id,
                state=OldPartState.STORED, shipment_id=None, scrapped_at=None, scrap_reason="")
            # The maker calls the approved claims' parts back with the month's shipment; the rest are scrapped.
            if decided is None:  # a claim never sent: its parts wait on the shelf
                session.add(part)
                continue
            out = decided + dt.timedelta(days=max(1, round(((_month_end(decided) - decided).days + 5) * self.pace)))
            if out < self.today:
                if approved and rng.random() < 0.8:
                    part.state, part.shipment_id = OldPartState.SHIPPED, self._shipment(out).id
                else:
                    part.state, part.scrapped_at = OldPartState.SCRAPPED, dt.datetime.combine(out, dt.time(16, 0))
                    part.scrap_reason = "厂家通知就地报废"
            session.add(part)

    def _shipment(self, on: dt.date) -> OldPartShipment:
        shipment = self.shipments.get(on)
        if shipment is None:
            shipment = self.shipments[on] = OldPartShipment(
                store_id=self.clerks[0].store_id, number=f"SF{on:%Y%m%d}{self.rng.randrange(10**6):06d}", shipped_on=on,
                by_id=self.clerks[0].user_id, at=dt.datetime.combine(on, dt.time(15, 0)))
            self.gen.session.add(shipment)
            if shipment.id is None:
                self.gen.session.flush()
        return shipment

    def _write_off(self, receivable: Receivable, reason: str, manager: Actor, when: dt.datetime) -> None:
        value = receivable.amount - receivable.paid - receivable.written_off
        receivable.written_off += value
        receivable.written_off_by_id, receivable.written_off_at, receivable.write_off_reason = manager.user_id, when, reason
        receivable.closed_at = when
        self.gen.now = when
        self._audit(manager, "receivable.write_off", "receivable", receivable.id, order_id=receivable.order_id,
                    after={"written_off": value, "reason": reason, "open": ZERO})

    def _suspend(self, item: _Account, manager: Actor, day: dt.date) -> None:
        account = self.gen.session.get(Account, item.id)
        assert account is not None
        self.gen.now = when = dt.datetime.combine(day, dt.time(8, 31))
        account.suspended_at, account.suspended_reason = when, "账款逾期未付，暂停挂账"
        self._audit(manager, "account.suspend", "account", item.id, after={"reason": account.suspended_reason})

    def _audit(self, actor: Actor, action: str, entity: str, entity_id: Any, *, order_id: Any = None,
               after: dict[str, Any] | None = None) -> None:
        """The event the service would have written, into the batch's chain (sealed in order when the batch ends)."""
        services = self.gen.services
        services._batch_audits.append({
            "store_id": actor.store_id, "at": self.gen.now, "user_id": actor.user_id, "action": action, "entity": entity,
            "entity_id": entity_id, "order_id": order_id, "before": None, "after": after})


def _hundreds(amount: Decimal) -> Decimal:
    return ((amount / 100).to_integral_value(ROUND_DOWN) * 100).quantize(CENT)


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - dt.timedelta(days=1)


__all__ = ["DEMO_ACCOUNTS", "INSURERS", "MoneyDemo"]
