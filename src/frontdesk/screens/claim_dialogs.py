"""The dialogs of the claims clerk's screens: the maker's answers, a claim's lines, old parts, the maker's payment.

Each is a :class:`~frontdesk.screens.admin_modals.FormDialog` (F6 or Enter saves, Esc goes
back; the shipment and the maker's payment go field by field on Enter): what is typed goes to a save function that runs in the pipeline and calls the
service; a refusal is written beside the field it names and the dialog keeps what was typed.
The builders say which fields each has and what the save calls; they answer what the service
answered (a reference), or a line to say (old parts), for the screen underneath to show.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from textual import on
from textual.widgets import Input

from frontdesk.i18n import gettext as _
from frontdesk.services import claim_desk, old_parts, warranty_claims
from frontdesk.services.claim_desk import MakerDue
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import ValidationError
from frontdesk.services.money import (
    format_money,
    parse_hours,
    parse_money,
    parse_quantity,
)
from frontdesk.services.old_parts import PartToTag
from frontdesk.services.warranty_claims import (
    ClaimLabour,
    ClaimPart,
    ClaimView,
    GoodwillShare,
)

from .admin_modals import FormDialog, FormField


class FieldByFieldDialog(FormDialog):
    """A form whose Enter goes on to the next field and records only from the last one (F6 from any).

    For the forms whose later fields come filled in (the shipping date, the day and amount of
    the maker's payment): recording on the first Enter kept those defaults when the clerk was
    about to type over them, and the keys typed next landed on the list underneath.
    """

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        fields = [field for field in self.query(Input) if field.display]
        if event.input in fields[:-1]:
            event.prevent_default()  # not RecordDialog's Enter-records
            event.stop()
            fields[fields.index(event.input) + 1].focus()


def parse_day(text: str, field: str) -> dt.date:
    """"2026-11-24" (or "2026/11/24"); anything else is refused beside the field."""
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(field, _("Write the date as YYYY-MM-DD, e.g. {example}.").format(
            example="2026-11-24")) from None


def _tags(tags: Sequence[str]) -> str:
    shown = ", ".join(tags[:6])
    return shown + (_(" and {n} more").format(n=len(tags) - 6) if len(tags) > 6 else "")


# Old parts ---------------------------------------------------------------------------------------


def ship_dialog(services: Services, actor: Actor, ids: Sequence[int], tags: Sequence[str]) -> FormDialog:
    def save(values: dict[str, str]) -> str:
        day = parse_day(values["shipped_on"], "shipped_on")
        old_parts.ship(services, actor, list(ids), values["number"], day)
        return _("Shipped to the maker: {tags} (shipment {number}).").format(tags=_tags(tags),
                                                                              number=values["number"].strip())

    today = services.clock().date().isoformat()
    return FieldByFieldDialog(_("Ship old parts to the maker"), [
        FormField("number", _("Consignment no."), max_length=60, placeholder=_("the waybill or the maker's return no.")),
        FormField("shipped_on", _("Shipped on"), today, max_length=10, placeholder="YYYY-MM-DD"),
    ], save, note=_("{n} part(s): {tags}").format(n=len(ids), tags=_tags(tags)))


def scrap_dialog(services: Services, actor: Actor, ids: Sequence[int], tags: Sequence[str]) -> FormDialog:
    def save(values: dict[str, str]) -> str:
        old_parts.scrap(services, actor, list(ids), values["reason"])
        return _("Scrapped: {tags}.").format(tags=_tags(tags))

    return FormDialog(_("Scrap old parts"), [
        FormField("reason", _("Maker's instruction"), max_length=200, placeholder=_("e.g. scrap on site, notice no.")),
    ], save, note=_("{n} part(s): {tags}").format(n=len(ids), tags=_tags(tags)))


def tag_dialog(services: Services, actor: Actor, order_id: int, parts: Sequence[PartToTag]) -> FormDialog:
    """The order's warranty parts not tagged yet, one chosen and the shelf it goes on; those tagged are named."""
    untagged = [p for p in parts if p.old_part_id is None]

    def save(values: dict[str, str]) -> str:
        line_id = int(values["part_line"])
        ref = old_parts.tag_part(services, actor, order_id, line_id, values["location"])
        part = next(p for p in untagged if p.part_line_id == line_id)
        return _("{part} tagged {tag}: tie the tag on and shelve it.").format(part=part.name, tag=ref.tag)

    options = tuple((f"{p.part_no} {p.name} × {format(p.qty.normalize(), 'f')}", str(p.part_line_id))
                    for p in untagged)
    tagged = [f"{p.tag} {p.part_no} {p.name}" for p in parts if p.old_part_id is not None]
    note = _("Tagged already: {parts}").format(parts="; ".join(tagged)) if tagged else ""
    return FormDialog(_("Tag an old part"), [
        FormField("part_line", _("Part"), options[0][1], options=options),
        FormField("location", _("Shelf"), max_length=40, placeholder=_("e.g. old-parts shelf A-3")),
    ], save, note=note)


# The maker's answers ---------------------------------------------------------------------------------


def return_dialog(services: Services, actor: Actor, claim: ClaimView) -> FormDialog:
    def save(values: dict[str, str]) -> Any:
        return warranty_claims.record_return(services, actor, claim.id, values["reason"],
                                             expected_version=claim.version)

    return FormDialog(_("The maker returned claim {number}").format(number=claim.number), [
        FormField("reason", _("Maker's reason"), max_length=400, placeholder=_("what the maker wants changed")),
    ], save, note=_("Edit the claim afterwards and submit it again: revision {n} stays on record.").format(
        n=claim.version_no))


def approval_dialog(services: Services, actor: Actor, claim: ClaimView) -> FormDialog:
    def save(values: dict[str, str]) -> Any:
        return warranty_claims.record_approval(services, actor, claim.id, values["amount"],
                                               expected_version=claim.version)

    return FormDialog(_("The maker approved claim {number}").format(number=claim.number), [
        FormField("amount", _("Approved amount"), format(claim.claimed, "f"), max_length=14),
    ], save, note=_("Claimed {amount}; the maker may approve less.").format(amount=format_money(claim.claimed)))


def rejection_dialog(services: Services, actor: Actor, claim: ClaimView) -> FormDialog:
    def save(values: dict[str, str]) -> Any:
        return warranty_claims.record_rejection(services, actor, claim.id, values["reason"],
                                                expected_version=claim.version)

    return FormDialog(_("The maker rejected claim {number}").format(number=claim.number), [
        FormField("reason", _("Maker's reason"), max_length=400),
    ], save, note=_("The service manager then moves its cost to the dealer or the customer (M)."))


def reassign_dialog(services: Services, actor: Actor, claim: ClaimView) -> FormDialog:
    def save(values: dict[str, str]) -> Any:
        return warranty_claims.reassign(services, actor, claim.id, values["to"], values["reason"],
                                        expected_version=claim.version)

    return FormDialog(_("Move the cost of claim {number}").format(number=claim.number), [
        FormField("to", _("Cost goes to"), "dealer", options=((_("The dealer (written off)"), "dealer"),
                                                              (_("The customer (billed)"), "customer"))),
        FormField("reason", _("Reason"), max_length=400),
    ], save, note=_("What the maker still owes on the order is taken off it."))


def goodwill_dialog(services: Services, actor: Actor, order_id: int, share: GoodwillShare) -> FormDialog:
    """善意保修: the manager splits the order's warranty share; prefilled as all the maker's, the three add up to it."""
    def save(values: dict[str, str]) -> Any:
        return warranty_claims.approve_goodwill(services, actor, order_id, values["customer"], values["maker"],
                                                values["dealer"], values["reason"])

    return FormDialog(_("Goodwill split of order {order}").format(order=share.order_number), [
        FormField("maker", _("Maker pays"), format(share.total, "f"), max_length=14),
        FormField("customer", _("Customer pays"), "0", max_length=14),
        FormField("dealer", _("Dealer bears"), "0", max_length=14),
        FormField("reason", _("Reason"), max_length=400, placeholder=_("why the store shares the cost")),
    ], save, note=_("The warranty share is {total}: the three shares add up to it.").format(
        total=format_money(share.total)))


# A claim's lines -------------------------------------------------------------------------------------


def labour_dialog(line: ClaimLabour | None) -> FormDialog:
    """A labour line as the maker's portal wants it; answers the line (checked), nothing saved yet."""
    def save(values: dict[str, str]) -> ClaimLabour:
        if not values["code"].strip():
            raise ValidationError("code", _("This field is required."))
        return ClaimLabour(values["code"].strip(), values["description"].strip(),
                           parse_hours(values["hours"], "hours"), parse_money(values["amount"], "amount"))

    return FormDialog(_("Labour line") if line is None else _("Labour line · {code}").format(code=line.code), [
        FormField("code", _("Labour code"), line.code if line else "", max_length=20),
        FormField("description", _("Description"), line.description if line else "", max_length=200),
        FormField("hours", _("Hours"), str(line.hours) if line else "", max_length=8),
        FormField("amount", _("Amount"), str(line.amount) if line else "", max_length=14),
    ], save)


def part_dialog(line: ClaimPart | None) -> FormDialog:
    def save(values: dict[str, str]) -> ClaimPart:
        if not values["number"].strip():
            raise ValidationError("number", _("This field is required."))
        return ClaimPart(values["number"].strip(), values["name"].strip(), parse_quantity(values["qty"], "qty"),
                         parse_money(values["unit_price"], "unit_price"), line.part_line_id if line else None)

    return FormDialog(_("Part line") if line is None else _("Part line · {number}").format(number=line.number), [
        FormField("number", _("Part number"), line.number if line else "", max_length=40),
        FormField("name", _("Part name"), line.name if line else "", max_length=200),
        FormField("qty", _("Quantity"), str(line.qty) if line else "1", max_length=10),
        FormField("unit_price", _("Unit price"), str(line.unit_price) if line else "", max_length=14),
    ], save)


# The maker's payment ---------------------------------------------------------------------------------


def payment_dialog(services: Services, actor: Actor, dues: Sequence[MakerDue]) -> FormDialog:
    """One transfer from the maker over the chosen approved claims: each paid what it is owed, in turn."""
    total = sum((d.due for d in dues), Decimal(0))
    maker = dues[0].maker

    def save(values: dict[str, str]) -> Any:
        day = parse_day(values["received_on"], "received_on")
        return claim_desk.record_maker_payment(services, actor, [d.claim_id for d in dues], maker=maker,
                                               reference=values["reference"], received_on=day,
                                               amount=values["amount"])

    claims = "; ".join(f"{d.claim_number} {format_money(d.due)}" for d in dues[:4])
    if len(dues) > 4:
        claims += _(" and {n} more").format(n=len(dues) - 4)
    return FieldByFieldDialog(_("Payment from {maker}").format(maker=maker or _("the maker")), [
        FormField("reference", _("Reference"), max_length=80, placeholder=_("the bank's or the maker's batch no.")),
        FormField("received_on", _("Received on"), services.clock().date().isoformat(), max_length=10,
                  placeholder="YYYY-MM-DD"),
        FormField("amount", _("Amount"), format(total, "f"), max_length=14),
    ], save, note=_("{n} claim(s) owed {total}: {claims}").format(n=len(dues), total=format_money(total),
                                                                   claims=claims))


__all__ = [
    "approval_dialog",
    "goodwill_dialog",
    "labour_dialog",
    "parse_day",
    "part_dialog",
    "payment_dialog",
    "reassign_dialog",
    "rejection_dialog",
    "return_dialog",
    "scrap_dialog",
    "ship_dialog",
    "tag_dialog",
]
