"""An accident repair's insurer claim (事故车), on its order: opened with I from the estimate.

On top the record as the insurer knows it: insurer, report number (报案号), the insured, the
loss assessor (定损员), the assessed amount (定损金额) and its supplements, the customer's own
share, what the insurer owes and has paid on the order's receivables, and who delivered the
papers (送单). Below, the supplements (追加定损) and the papers checklist: Space ticks the paper
under the cursor (ticks typed quickly are saved one after another, the last state wins).
F4 opens or edits the record, F2 adds a supplement, D records
the papers delivered.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import DataTable, Header, Static

from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, NEW, binding
from frontdesk.labels import status
from frontdesk.services import accidents
from frontdesk.services.accidents import (
    DOCUMENTS,
    AccidentInput,
    AccidentPage,
    AccidentView,
)
from frontdesk.services.money import format_money
from frontdesk.services.permissions import allowed
from frontdesk.widgets.key_footer import KeyFooter
from frontdesk.widgets.list_table import ListTable, clip, fixed_columns

from .accident_dialogs import (
    AccidentFormDialog,
    DayEntry,
    PapersDialog,
    SupplementDialog,
    SupplementEntry,
)
from .list_detail import ListDetailScreen, ListLayout, list_keys


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translated where it is shown."""
    return msgid


DOCUMENT_NAMES = {
    "assessment": N_("Assessment sheet"), "vehicle_licence": N_("Vehicle licence"),
    "driving_licence": N_("Driver's licence"), "accident_report": N_("Accident report"),
    "invoice": N_("Repair invoice"), "id_card": N_("ID card"), "bank_details": N_("Bank details"),
    "claim_form": N_("Claim form"),
}


class AccidentScreen(ListDetailScreen):
    """``AccidentScreen(order_id=...)``: the order's accident record, its supplements and papers."""

    CSS_PATH = "../assets/styles/accident.tcss"
    LAYOUT = ListLayout(("ac-documents", "ac-supplements"), head="ac-head")

    BINDINGS = [
        binding("space", "toggle", "Tick paper", key_display="Space",
                tooltip="Tick the paper under the cursor as received (again: not received)"),
        binding(EDIT, "edit", "Edit record", tooltip="Insurer, report number, insured, assessor, assessed amount, own share"),
        binding(NEW, "supplement", "Supplement", tooltip="Add a supplement to the assessment (追加定损)"),
        binding("d", "papers", "Papers delivered", tooltip="Who took the claim papers to the insurer, and when (送单)"),
        *list_keys("Read the record again"),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self._order_id = order_id
        self._page: AccidentPage | None = None
        self._wanted: set[str] | None = None  # the ticks as typed, not saved yet
        self._saving_documents = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=self.fd.show_clock)
        yield Static(_("Loading…"), id="ac-head")
        yield Static("", id="ac-record")
        with Horizontal(id="ac-lists"):
            yield ListTable(id="ac-documents")
            yield ListTable(id="ac-supplements")
        yield KeyFooter()

    def on_mount(self) -> None:
        fixed_columns(self.table("ac-documents"), (_("Got"), 3), (_("Paper"), 20))
        fixed_columns(self.table("ac-supplements"), (_("Date"), 10), (_("Amount"), 11), (_("Note"), 16))
        self.action_refresh()

    # Reading ------------------------------------------------------------------------------------

    def load(self, services: Any, actor: Any) -> AccidentPage:
        return accidents.accident_page(services, actor, self._order_id)

    def show(self, page: AccidentPage) -> None:
        self._page = page
        head = Text()
        head.append(_("Accident claim"), style="bold")
        head.append(f"  {page.order_number}  {page.plate}  {page.customer_name}  ")
        head.append(status(page.status), style="dim")
        self.show_head(head)
        a = page.accident
        self.query_one("#ac-record", Static).update(self._record_text(a))
        self._show_documents(self._wanted if self._wanted is not None else set(a.documents) if a else set())
        rows = [(f"s{s.id}", s, (s.assessed_on.isoformat(), Text(format_money(s.amount), justify="right"),
                                 clip(s.note, 30))) for s in (a.supplements if a else ())]
        supplements = self.fill("ac-supplements", rows)
        supplements.border_title = _("Supplements ({n})").format(n=len(rows))

    def _show_documents(self, received: set[str]) -> None:
        rows = [(key, key, (Text("✔", style="bold green") if key in received else Text("·", style="dim"),
                            _(DOCUMENT_NAMES[key]))) for key in DOCUMENTS]
        table = self.fill("ac-documents", rows)
        table.border_title = _("Papers {got}/{all}").format(got=len(received), all=len(DOCUMENTS))

    def _record_text(self, a: AccidentView | None) -> Text:
        text = Text()
        if a is None:
            text.append(_("No accident record on this order yet: F4 opens it (insurer and report number)."),
                        style="bold yellow")
            return text
        text.append(f"{a.insurer}", style="bold")
        text.append("  " + _("Report no. {no}").format(no=a.report_no), style="bold")
        text.append("\n" + _("Insured: {who} · assessor: {assessor} · accident: {day}").format(
            who=a.insured_name or "—", assessor=a.assessor or "—",
            day=a.accident_on.isoformat() if a.accident_on else "—"))
        assessed = format_money(a.assessed_amount) if a.assessed_amount is not None else _("not yet")
        text.append("\n" + _("Assessed {assessed}").format(assessed=assessed))
        if a.supplements and a.total_assessed is not None:
            text.append(" + " + _("supplements {n}").format(n=len(a.supplements)))
            text.append(" = " + format_money(a.total_assessed), style="bold")
        text.append(" · " + _("own share {share}").format(share=format_money(a.customer_share)))
        text.append("\n" + _("Insurer owes {owes} · paid {paid} · open {open}").format(
            owes=format_money(a.insurer_owes), paid=format_money(a.insurer_paid), open=format_money(a.insurer_open)),
            style="bold" if a.insurer_open else "")
        if a.closed_on is not None:
            text.append("  " + _("closed {day}, gap {gap}").format(
                day=a.closed_on.isoformat(), gap=format_money(a.gap) if a.gap is not None else "—"), style="bold")
        text.append("\n")
        if a.papers_delivered_on is not None:
            text.append(_("Papers delivered by {who} on {day}").format(
                who=a.papers_delivered_by, day=a.papers_delivered_on.isoformat()), style="green")
        else:
            missing = len(a.missing)
            text.append(_("Papers not delivered yet") + (" · " + _("{n} missing").format(n=missing) if missing else ""),
                        style="yellow")
        return text

    def detail(self, item: Any) -> Text:  # no pane: the record above says it all
        return Text()

    # Keys ---------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "supplement", "papers", "toggle"):
            if not allowed(self.actor.role, "accident.edit"):
                return None
            if action != "edit" and (self._page is None or self._page.accident is None):
                return None
        return True

    def why_not(self, action: str) -> str | None:
        if not allowed(self.actor.role, "accident.edit"):
            return _("Your role may look at the accident record but not change it.")
        return _("Open the accident record first: F4.")

    def _accident(self) -> AccidentView | None:
        return self._page.accident if self._page is not None else None

    def action_edit(self) -> None:
        page = self._page
        if page is None:
            return
        current = page.accident

        def save(data: AccidentInput) -> Any:
            return accidents.save_accident(self.services, self.actor, self._order_id, data,
                                           expected_version=current.version if current else None)

        title = _("Accident record · {number} · {plate}").format(number=page.order_number, plate=page.plate)
        self.app.push_screen(AccidentFormDialog(title=title, current=current, insured=page.customer_name,
                                                today=self.services.clock().date(), save=save), self.saved)

    def action_supplement(self) -> None:
        a = self._accident()
        if a is None:
            return

        def save(entry: SupplementEntry) -> Any:
            return accidents.add_supplement(self.services, self.actor, a.id, entry.amount, entry.on, entry.note)

        self.app.push_screen(SupplementDialog(title=_("Supplement · {no}").format(no=a.report_no),
                                              today=self.services.clock().date(), save=save), self.saved)

    def action_papers(self) -> None:
        a = self._accident()
        if a is None:
            return

        def save(entry: DayEntry) -> Any:
            assert entry.on is not None
            return accidents.papers_delivered(self.services, self.actor, a.id, entry.text, entry.on)

        if a.missing:
            self.notify(_("Still missing: {papers}").format(papers=", ".join(_(DOCUMENT_NAMES[d]) for d in a.missing)),
                        severity="warning", timeout=6)
        self.app.push_screen(PapersDialog(title=_("Papers delivered · {no}").format(no=a.report_no),
                                          who=a.papers_delivered_by or self.actor.display_name,
                                          today=self.services.clock().date(), save=save), self.saved)

    def action_toggle(self) -> None:
        a = self._accident()
        key = self.selected_in("ac-documents")
        if a is None or key is None:
            return
        wanted = set(self._wanted if self._wanted is not None else a.documents)
        wanted ^= {key}
        self._wanted = wanted
        self._show_documents(wanted)
        self._save_documents()

    def _save_documents(self) -> None:
        a = self._accident()
        if self._saving_documents or a is None or self._wanted is None:
            return
        self._saving_documents = True
        sent = tuple(sorted(self._wanted))
        self.call_service(accidents.set_documents, self.services, self.actor, a.id, sent,
                          then=lambda _ref: self._documents_saved(sent), failed=self._documents_refused,
                          group="accident-documents")

    def _documents_saved(self, sent: tuple[str, ...]) -> None:
        self._saving_documents = False
        if self._wanted is not None and set(self._wanted) != set(sent):
            self._save_documents()  # ticked again meanwhile: the last state goes too
            return
        self._wanted = None
        self.action_refresh()

    def _documents_refused(self, error: Any) -> None:
        self._saving_documents = False
        self._wanted = None
        self.refused(error)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "ac-documents":
            self.action_toggle()

    def action_back(self) -> None:
        if self._saving_documents:
            self.notify(_("Saving the papers' ticks…"), timeout=2)
            return
        super().action_back()
