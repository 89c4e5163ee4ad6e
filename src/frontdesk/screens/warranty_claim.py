"""One warranty claim (索赔单): what the store claims from the maker for one order, and the maker's answers.

Opened for an order (``WarrantyClaimScreen(order_id)``) from the claims list. An order
without a claim yet says so; N opens it from the order's warranty lines
(services/warranty_claims.py ``create_claim``).

The head says where the claim stands: its state, revision, the deadline (days left, red once
past) and the money — claimed, approved, paid. Under it the fields the maker's portal asks
(fault, the technician's cause and remedy, mileage, the portal's own number), editable while
the claim is the store's (draft, or returned by the maker): E goes into them, Enter from one
to the next, F6 saves, Esc back to the lines. The lines (labour codes and parts): F2 adds
labour, F3 a part, F4 or Enter edits the highlighted line, Del removes it — saved with F6.
At the bottom the maker's answers and every revision submitted, each kept as it was sent.

The keys follow the claim's life: S submits (what is typed is saved first), then as the
maker answers R records a return (its reason), A an approval (the amount), J a rejection
(the reason); M moves a rejected claim's cost to the dealer or the customer (the service
manager). O tags the order's replaced warranty parts for the old-parts ledger. G (the service
manager) splits a goodwill repair (善意保修) between maker, customer and dealer: once the
settlement has made the maker's share, before the claim is submitted (with or without a claim).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Input, Label, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, NEW, REFRESH, SAVE, back, binding, group
from frontdesk.model.warranty import ClaimState
from frontdesk.services import old_parts, warranty_claims
from frontdesk.services.context import Actor, Services
from frontdesk.services.errors import FrontdeskError, ValidationError
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.services.warranty_claims import (
    ClaimInput,
    ClaimLabour,
    ClaimPart,
    ClaimView,
)
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import Col, ListTable, clip, declare_columns

from .base import DeskScreen
from .claim_dialogs import (
    approval_dialog,
    goodwill_dialog,
    labour_dialog,
    part_dialog,
    reassign_dialog,
    rejection_dialog,
    return_dialog,
    tag_dialog,
)
from .list_detail import OVERDUE_STYLE

ANSWER = group("Maker's answer")  # r a j: one place in the footer
FIELDS = ("fault", "cause", "remedy", "mileage_km", "maker_ref")
EDITABLE = (ClaimState.DRAFT, ClaimState.RETURNED)
#: Screen action -> the permission it needs (the role matrix reads it).
ACTION_PERMISSION = {
    "new_claim": "warranty_claim.edit", "save": "warranty_claim.edit", "submit": "warranty_claim.edit",
    "edit_fields": "warranty_claim.edit", "add_labour": "warranty_claim.edit", "add_part": "warranty_claim.edit",
    "edit_line": "warranty_claim.edit", "remove_line": "warranty_claim.edit",
    "returned": "warranty_claim.decide", "approved": "warranty_claim.decide", "rejected": "warranty_claim.decide",
    "reassign": "warranty_claim.reassign", "old_parts": "old_part.record", "goodwill": "goodwill.approve",
}
#: Action -> the states of the claim it acts in (None: there must be no claim yet).
WHEN = {
    "new_claim": None, "save": EDITABLE, "submit": EDITABLE, "edit_fields": EDITABLE, "add_labour": EDITABLE,
    "add_part": EDITABLE, "edit_line": EDITABLE, "remove_line": EDITABLE,
    "returned": (ClaimState.SUBMITTED,), "approved": (ClaimState.SUBMITTED,), "rejected": (ClaimState.SUBMITTED,),
    "reassign": (ClaimState.REJECTED,), "old_parts": tuple(ClaimState), "goodwill": EDITABLE,
}


def _load(services: Services, actor: Actor, order_id: int) -> ClaimView | None:
    return warranty_claims.claim_for_order(services, actor, order_id)


def _save_and_submit(services: Services, actor: Actor, claim: ClaimView, data: ClaimInput | None) -> Any:
    """What is typed saved first (when changed), then the claim sent: the maker gets what the screen shows."""
    version = claim.version
    if data is not None:
        version = warranty_claims.update_claim(services, actor, claim.id, data, expected_version=version).version
    return warranty_claims.submit(services, actor, claim.id, expected_version=version)


class WarrantyClaimScreen(DeskScreen):
    """``WarrantyClaimScreen(order_id)``: the order's claim — fields, lines, the maker's answers, old parts."""

    CSS_PATH = "../assets/styles/warranty_claims.tcss"
    AUTO_FOCUS = "#wc-lines"

    BINDINGS = [
        binding("n", "new_claim", "Open claim", tooltip="Open the order's claim from its warranty lines"),
        binding("s", "submit", "Submit", tooltip="Send the claim to the maker (what is typed is saved first)"),
        binding("e", "edit_fields", "Edit", tooltip="Into the claim's fields: fault, cause, remedy, mileage"),
        binding("r", "returned", "Returned", group=ANSWER, tooltip="The maker returned the claim: its reason"),
        binding("a", "approved", "Maker approved", group=ANSWER, tooltip="The maker approved the claim: the amount"),
        binding("j", "rejected", "Rejected", group=ANSWER, tooltip="The maker rejected the claim: its reason"),
        binding("m", "reassign", "Move cost", tooltip="Move a rejected claim's cost to the dealer or the customer"),
        binding("g", "goodwill", "Goodwill", tooltip="Split a goodwill repair between maker, customer and dealer "
                                                    "(the service manager, before the claim is submitted)"),
        binding("o", "old_parts", "Tag old parts", tooltip="Tag the order's replaced warranty parts for the old-parts ledger"),
        binding(SAVE, "save", "Save", tooltip="Save the fields and lines typed"),
        binding(NEW, "add_labour", "Add labour", show=False, tooltip="Add a labour line to the claim"),
        binding(FIND, "add_part", "Add part", show=False, tooltip="Add a part line to the claim"),
        binding(EDIT, "edit_line", "Edit line", show=False, tooltip="Edit the highlighted line (Enter too)"),
        binding("delete", "remove_line", "Remove line", key_display="Del", show=False,
                tooltip="Take the highlighted line off the claim"),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the claim again"),
        back(),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self.order_id = order_id
        self.claim: ClaimView | None = None
        self.read = False  # the first answer has come (with or without a claim)
        self.labour: list[ClaimLabour] = []
        self.parts: list[ClaimPart] = []
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading the claim…"), id="wc-claim-head")
        for name, title, width in (("fault", _("Fault"), 400), ("cause", _("Cause"), 400),
                                   ("remedy", _("Remedy"), 400)):
            with Horizontal(classes="wc-field"):
                yield Label(title, classes="wc-label")
                yield Input(id=f"wc-{name}", max_length=width, compact=True)
        with Horizontal(classes="wc-field"):
            yield Label(_("Mileage km"), classes="wc-label")
            yield Input(id="wc-mileage_km", max_length=8, compact=True, classes="wc-short")
            yield Label(_("Maker's no."), classes="wc-label2")
            yield Input(id="wc-maker_ref", max_length=60, compact=True)
        yield Static("", id="wc-error", classes="field-error")
        yield ListTable(id="wc-lines")
        yield Static("", id="wc-history")
        yield KeyFooter()

    def on_mount(self) -> None:
        declare_columns(self.query_one("#wc-lines", ListTable), Col(_("Kind"), 5, keep=5),
                        Col(_("Code"), whole=True, keep=9), Col(_("Description"), 18, keep=8),
                        Col(_("Qty/h"), 5, keep=6), Col(_("Amount"), whole=True, keep=7))
        self.action_refresh()

    # Reading -------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(_load, self.services, self.actor, self.order_id, then=self.show, saves=False)

    def show(self, claim: ClaimView | None) -> None:
        self.read = True
        self._busy = False
        self.claim = claim
        self.labour = list(claim.labour) if claim else []
        self.parts = list(claim.parts) if claim else []
        editable = claim is not None and claim.state in EDITABLE
        values = {"fault": claim.fault, "cause": claim.cause, "remedy": claim.remedy,
                  "mileage_km": str(claim.mileage_km), "maker_ref": claim.maker_ref} if claim else {}
        for name in FIELDS:
            box = self.query_one(f"#wc-{name}", Input)
            box.value = values.get(name, "")
            box.disabled = not editable
        self._as_read = self._typed()
        self._say("")
        self._show_head()
        self._show_lines()
        self._show_history()
        self.refresh_bindings()
        if not isinstance(self.focused, Input):
            self.query_one("#wc-lines", ListTable).focus()

    def _say(self, message: str) -> None:
        """The last refusal, under the fields (the line takes no room while there is none)."""
        line = self.query_one("#wc-error", Static)
        line.update(Text(message, style="bold red"))
        line.display = bool(message)

    def _show_head(self) -> None:
        head = Text()
        c = self.claim
        if c is None:
            head.append(_("This order has no warranty claim yet: N opens it from its warranty lines."), style="bold")
            self.query_one("#wc-claim-head", Static).update(head)
            return
        head.append(f"{c.number}  ", style="bold")
        head.append(f" {warranty_claims.state_label(c.state)} ", style="reverse bold")
        head.append(f"  {c.plate}  " + _("rev. {n}").format(n=c.version_no), style="bold")
        if c.goodwill:
            head.append("  " + _("goodwill"), style="bold magenta")
        head.append("\n" + _("Deadline {day}").format(day=c.deadline.isoformat()))
        if c.state in EDITABLE:
            head.append("  ")
            overdue = " " + _("Overdue by {n} days").format(n=-c.days_left) + " "
            head.append(_("{n} days left").format(n=c.days_left) if c.days_left >= 0 else overdue,
                        style=OVERDUE_STYLE if c.days_left < 0 else ("bold yellow" if c.alert else ""))
        head.append("  " + _("Claimed {amount}").format(amount=format_money(c.claimed)), style="bold")
        if c.approved is not None:
            head.append("  " + _("Approved {amount}").format(amount=format_money(c.approved)), style="bold green")
        if c.paid and c.state in (ClaimState.APPROVED, ClaimState.PAID):
            head.append("  " + _("Paid {amount}").format(amount=format_money(c.paid)), style="green")
        self.query_one("#wc-claim-head", Static).update(head)

    def _show_lines(self, cursor: int | None = None) -> None:
        table = self.query_one("#wc-lines", ListTable)
        keep = table.cursor_row if cursor is None else cursor
        table.clear()
        for n, line in enumerate(self.labour):
            table.add_row(Text(_("Labor"), style="bold"), Text(line.code, style="bold"), clip(line.description, 30),
                          str(line.hours), Text(format_money(_money(line.amount)), justify="right"), key=f"l{n}")
        for n, part in enumerate(self.parts):
            table.add_row(Text(_("Part"), style="dim"), Text(part.number, style="bold"), clip(part.name, 30),
                          str(part.qty), Text(format_money(warranty_claims.part_amount(part)), justify="right"),
                          key=f"p{n}")
        table.border_title = _("Claimed lines ({n})").format(n=len(self.labour) + len(self.parts))
        count = len(self.labour) + len(self.parts)
        if count:
            table.move_cursor(row=max(0, min(keep, count - 1)))

    def _show_history(self) -> None:
        c = self.claim
        text = Text()
        if c is not None:
            if c.returned_reason:
                text.append(_("Returned {day}: {reason}").format(
                    day=c.returned_on.isoformat() if c.returned_on else "", reason=c.returned_reason),
                    style="bold yellow")
                text.append("\n")
            if c.rejected_reason:
                text.append(_("Rejected: {reason}").format(reason=c.rejected_reason), style="bold red")
                text.append("\n")
            if c.reassigned_to:
                text.append(_("Cost moved to the {who}: {reason}").format(
                    who=_("dealer") if c.reassigned_to == "dealer" else _("customer"), reason=c.reassign_reason))
                text.append("\n")
            for r in reversed(c.revisions):
                text.append(_("Rev. {n} submitted {when} by {who}").format(
                    n=r.version_no, when=r.submitted_at.strftime("%Y-%m-%d %H:%M"), who=r.submitted_by or "—"),
                    style="dim")
                reason = r.content.get("returned_reason") if isinstance(r.content, dict) else None
                if reason:
                    text.append(f" · {reason}", style="dim")
                text.append("\n")
        text.rstrip()
        self.query_one("#wc-history", Static).update(text)

    # What is typed ---------------------------------------------------------------------------------

    def _typed(self) -> tuple[object, ...]:
        return (*(self.query_one(f"#wc-{n}", Input).value.strip() for n in FIELDS), tuple(self.labour),
                tuple(self.parts))

    @property
    def changed(self) -> bool:
        return self.claim is not None and self._typed() != self._as_read

    def entered(self) -> ClaimInput:
        value = {n: self.query_one(f"#wc-{n}", Input).value.strip() for n in FIELDS}
        return ClaimInput(fault=value["fault"], mileage_km=value["mileage_km"], cause=value["cause"],
                          remedy=value["remedy"], labour=tuple(self.labour), parts=tuple(self.parts),
                          maker_ref=value["maker_ref"])

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        name = (event.input.id or "").removeprefix("wc-")
        at = FIELDS.index(name) if name in FIELDS else len(FIELDS) - 1
        if at + 1 < len(FIELDS):
            self.query_one(f"#wc-{FIELDS[at + 1]}", Input).focus()
        else:
            self.action_save()

    # Keys ----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTION_PERMISSION:
            if not allowed(self.actor.role, ACTION_PERMISSION[action]):
                return False
            # A key the role has but the claim's state does not allow now is dimmed, and says why (why_not).
            states = WHEN[action]
            if not self.read:
                return None
            if states is None:  # opening a claim: offered while the order has none, not at all after
                return self.claim is None
            if action == "goodwill":  # before the claim exists too; once, so not after a split
                return True if self.claim is None or (self.claim.state in states and not self.claim.goodwill) else None
            return True if self.claim is not None and self.claim.state in states else None
        return True

    def why_not(self, action: str) -> str | None:
        if action in ACTION_PERMISSION and not allowed(self.actor.role, ACTION_PERMISSION[action]):
            return _("Your role cannot do this here.")
        c = self.claim
        if not self.read:
            return _("The claim is still being read.")
        if WHEN.get(action, ()) is None:
            return _("This order has its claim already.")
        if c is None:
            return _("This order has no warranty claim yet: N opens it.")
        state = warranty_claims.state_label(c.state)
        if action in ("returned", "approved", "rejected"):
            return _("Claim {number} is {state}: the maker answers a submitted claim.").format(number=c.number,
                                                                                              state=state)
        if action == "reassign":
            return _("Claim {number} is {state}: only a rejected claim's cost is moved.").format(number=c.number,
                                                                                                state=state)
        if action == "goodwill":
            if c.goodwill:
                return _("Claim {number} is a goodwill claim: its split is made.").format(number=c.number)
            return _("Claim {number} is {state}: the split is decided before it is submitted.").format(
                number=c.number, state=state)
        return _("Claim {number} is {state}: it is with the maker, the submitted revision is kept as sent.").format(
            number=c.number, state=state)

    def _run(self, fn: Any, *args: Any, message: str) -> None:
        if self._busy:
            return
        self._busy = True

        def done(_ref: object) -> None:
            self.notify(message, timeout=5)
            self.action_refresh()

        def failed(error: FrontdeskError) -> None:
            self._busy = False
            self.show_error(error)
            self._say(error.message if isinstance(error, ValidationError) else str(error))
            if isinstance(error, ValidationError) and error.field in FIELDS:
                self.query_one(f"#wc-{error.field}", Input).focus()

        self.call_service(fn, *args, then=done, failed=failed)

    def action_new_claim(self) -> None:
        self._run(warranty_claims.create_claim, self.services, self.actor, self.order_id,
                  message=_("Claim opened from the order's warranty lines."))

    def action_edit_fields(self) -> None:
        self.query_one("#wc-fault", Input).focus()

    def action_save(self) -> None:
        c = self.claim
        if c is None or c.state not in EDITABLE:
            return
        self._run(warranty_claims.update_claim, self.services, self.actor, c.id, self.entered(), c.version,
                  message=_("Claim {number} saved.").format(number=c.number))
        self.query_one("#wc-lines", ListTable).focus()

    def action_submit(self) -> None:
        c = self.claim
        if c is None:
            return
        self._run(_save_and_submit, self.services, self.actor, c, self.entered() if self.changed else None,
                  message=_("Claim {number} submitted to the maker.").format(number=c.number))
        self.query_one("#wc-lines", ListTable).focus()

    def _answer(self, dialog: Any, message: str) -> None:
        def answered(outcome: object) -> None:
            if outcome is None:
                return
            if isinstance(outcome, FrontdeskError):
                self.show_error(outcome)
            else:
                self.notify(message, timeout=5)
            self.action_refresh()

        self.app.push_screen(dialog, answered)

    def action_returned(self) -> None:
        if self.claim is not None:
            self._answer(return_dialog(self.services, self.actor, self.claim), _("The maker's return is recorded."))

    def action_approved(self) -> None:
        if self.claim is not None:
            self._answer(approval_dialog(self.services, self.actor, self.claim), _("The maker's approval is recorded."))

    def action_rejected(self) -> None:
        if self.claim is not None:
            self._answer(rejection_dialog(self.services, self.actor, self.claim),
                         _("The maker's rejection is recorded."))

    def action_reassign(self) -> None:
        if self.claim is not None:
            self._answer(reassign_dialog(self.services, self.actor, self.claim), _("The claim's cost is moved."))

    def action_goodwill(self) -> None:
        def share(found: warranty_claims.GoodwillShare) -> None:
            if found.split:
                self.notify(_("Order {order} has its goodwill split already.").format(order=found.order_number),
                            severity="warning", timeout=6)
            elif not found.total:
                self.notify(_("Order {order} has no warranty share owed by the maker yet: prepare its settlement "
                              "first.").format(order=found.order_number), severity="warning", timeout=6)
            else:
                self._answer(goodwill_dialog(self.services, self.actor, self.order_id, found),
                             _("Goodwill split approved."))

        self.call_service(warranty_claims.goodwill_share, self.services, self.actor, self.order_id, then=share,
                          saves=False)

    def action_old_parts(self) -> None:
        def listed(parts: list[old_parts.PartToTag]) -> None:
            if not parts:
                self.notify(_("The order has no warranty part to keep."), severity="warning")
                return
            if all(p.old_part_id is not None for p in parts):
                self.notify(_("Every warranty part is tagged: {tags}.").format(
                    tags=", ".join(p.tag for p in parts)), timeout=6)
                return

            def tagged(outcome: object) -> None:
                if isinstance(outcome, FrontdeskError):
                    self.show_error(outcome)
                elif outcome is not None:
                    self.notify(str(outcome), timeout=8)

            self.app.push_screen(tag_dialog(self.services, self.actor, self.order_id, parts), tagged)

        self.call_service(old_parts.parts_to_tag, self.services, self.actor, self.order_id, then=listed, saves=False)

    # Lines ---------------------------------------------------------------------------------------

    def _selected_line(self) -> tuple[str, int] | None:
        key = self.query_one("#wc-lines", ListTable).cursor_key
        if not key:
            return None
        return key[0], int(key[1:])

    def _line_done(self, kind: str, at: int | None) -> Any:
        def done(line: object) -> None:
            if isinstance(line, ClaimLabour):
                if at is None:
                    self.labour.append(line)
                else:
                    self.labour[at] = line
            elif isinstance(line, ClaimPart):
                if at is None:
                    self.parts.append(line)
                else:
                    self.parts[at] = replace(line, part_line_id=self.parts[at].part_line_id)
            else:
                return
            self._show_lines()
            self.notify(_("Line changed: F6 saves the claim."), timeout=4)

        return done

    def action_add_labour(self) -> None:
        self.app.push_screen(labour_dialog(None), self._line_done("l", None))

    def action_add_part(self) -> None:
        self.app.push_screen(part_dialog(None), self._line_done("p", None))

    @on(DataTable.RowSelected, "#wc-lines")
    def action_edit_line(self) -> None:
        if self.check_action("edit_line", ()) is not True:
            self.notify(self.why_not("edit_line") or "", severity="warning", timeout=4)
            return
        chosen = self._selected_line()
        if chosen is None:
            self.notify(_("No line yet: F2 adds labour, F3 a part."), severity="warning")
            return
        kind, at = chosen
        dialog = labour_dialog(self.labour[at]) if kind == "l" else part_dialog(self.parts[at])
        self.app.push_screen(dialog, self._line_done(kind, at))

    def action_remove_line(self) -> None:
        chosen = self._selected_line()
        if chosen is None:
            self.notify(_("No line yet: F2 adds labour, F3 a part."), severity="warning")
            return
        kind, at = chosen
        del (self.labour if kind == "l" else self.parts)[at]
        self._show_lines()
        self.notify(_("Line removed: F6 saves the claim."), timeout=4)

    def action_back(self) -> None:
        """Esc in a field goes back to the lines; on the lines it leaves, asking first when something typed is unsaved."""
        if isinstance(self.focused, Input):
            self.query_one("#wc-lines", ListTable).focus()
            return
        if not self.changed or self.claim is None or self.claim.state not in EDITABLE:
            super().action_back()
            return
        from .confirm import ConfirmScreen

        def answered(leave: bool | None) -> None:
            if leave:
                super(WarrantyClaimScreen, self).action_back()

        self.app.push_screen(ConfirmScreen(_("Leave without saving?"), _("The claim was changed and not saved (F6)."),
                                           yes=_("Leave"), no=_("Stay")), answered)


def _money(value: Decimal | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))
