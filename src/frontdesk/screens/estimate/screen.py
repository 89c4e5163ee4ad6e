"""The estimate screen itself: its keys, the queue its changes go through, signing and printing.

What it shows is in its parts (see the package's docstring for the screen as a whole); the
screen reads the order, keeps the last reading (``_loaded``: what a key acts on) apart from
the one on show (``order``), and turns each key into one change to the order, sent through
the queue (``frontdesk.change_queue``) in the order the keys were pressed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.app import ComposeResult
from textual.css.query import NoMatches
from textual.reactive import var
from textual.widgets import DataTable, Header, Input, Static, Tab, Tabs

from frontdesk.change_queue import ChangeQueue
from frontdesk.config import Settings
from frontdesk.i18n import gettext as _
from frontdesk.keys import EDIT, FIND, NEW, PRINT, REFRESH, SAVE, SIGN, back, binding
from frontdesk.labels import PAYMENT_METHOD, label, status
from frontdesk.model.enums import JobStatus, PayType
from frontdesk.services import campaigns, desk, estimate, money, packages, recommendations
from frontdesk.services.recommendations import RecommendationRef
from frontdesk.services.errors import ConflictError, FrontdeskError, ValidationError
from frontdesk.widgets.key_footer import KeyFooter

from ..base import DeskScreen
from ..printing import print_one, say_printed
from ..recommendation_dialogs import open_recommend
from .history_pane import HistoryPane, on_estimate
from .lines_pane import LinesPane
from .lines_table import LinesTable
from .offer_strip import OfferStrip
from .order_head import OrderHead
from .pane_switcher import TABS, PaneSwitcher
from .preview import Override, cycle_pay, row_key
from .reading import EDITABLE, Loaded, Offers, change, load, load_offers, order_problems
from .terms_form import PROMISE_FORMAT, TERMS_FIELDS, TermsForm
from .totals_bar import TotalsBar

if TYPE_CHECKING:
    from frontdesk.services.campaigns import CampaignFlag
    from frontdesk.services.packages import PackageHit
    from frontdesk.services.refs import JobRef, PartLineRef

WIDE = (110, 30)  # columns, rows from which the side pane stands beside the lines
#: Where a service's ValidationError field is shown on this screen.
FIELD_HOME = {
    "quantity": "qty", "hours": "qty", "price": "price", "rate": "price",
    "promised_at": "promised_at", "payment_method": "payment_method", "old_parts": "old_parts",
}

Outcome = tuple[Any, Loaded]  # a change's answer: the service's result and the order read again


def take_up(services: Any, actor: Any, order_id: int, recommendation_id: int, hours: str | None,
            expected_version: int | None = None) -> RecommendationRef:
    """A recommendation from the history taken up on this estimate (reading.change calls it with the order).

    ``expected_version`` is the order's, which the change queue names; taking a recommendation
    up adds a line and changes nothing the terminal may hold stale, and the recommendation
    refuses a second taking up by itself.
    """
    return recommendations.accept(services, actor, recommendation_id, order_id=order_id, hours=hours)


class EstimateScreen(DeskScreen):
    """``EstimateScreen(order_id=...)``: the order's estimate, to build, sign and print."""

    CSS_PATH = "../../assets/styles/estimate.tcss"
    AUTO_FOCUS = "#lines"

    BINDINGS = [
        binding(NEW, "add_job", "Add job", tooltip="Add a job from the labor catalog (code, name or pinyin initials)"),
        binding(FIND, "add_part", "Add part", tooltip="Add a part to the selected job, with its stock in view"),
        binding(EDIT, "edit", "Edit", show=False, tooltip="Change the quantity or hours and the price of the selected line"),
        binding(SAVE, "save", "Save", tooltip="Save the line being edited, or the terms"),
        binding(PRINT, "print", "Print", tooltip="Print the work order (before signing: as an estimate)"),
        binding(SIGN, "sign", "Sign", tooltip="The customer signs: authorise, print the work order and the check-in sheet"),
        # Shown while the strip above the lines offers them (check_action); otherwise they say why not.
        binding("y", "take_package", "Due package",
                tooltip="Add the service package due for this car (named above the lines): its labour and parts in one go"),
        binding("c", "add_campaign", "Campaign",
                tooltip="Add the open recall or campaign named above the lines: its jobs and parts, paid by the maker"),
        back(),
        binding(REFRESH, "refresh", "Refresh", show=False, tooltip="Read the order again"),
        binding("f7", "next_tab", "Next tab", show=False, tooltip="Lines, history, terms"),
        binding("p", "cycle_pay", "Pay type", show=False, tooltip="Next pay type for the selected line"),
        binding("s", "toggle_safety", "Safety item", show=False, tooltip="Mark the selected job safety-related, or not"),
        binding("delete", "delete_line", "Delete line", show=False, key_display="Del",
                tooltip="Delete the selected line (a job with its parts)"),
        binding("r", "toggle_recommended", "Recommended", show=False,
                tooltip="Mark the selected job as recommended by the advisor, or as asked for by the customer"),
        binding("d", "decline", "Customer declines", show=False, tooltip="The customer declines the selected job"),
        binding("k", "add_package", "Package", show=False,
                tooltip="Add a service package (保养套餐): its labour and parts in one go, each line still editable"),
        binding("a", "add_recommendation", "Add recommendation", show=False,
                tooltip="Add the selected recommendation to this estimate"),
        binding("n", "recommend", "Recommend", show=False,
                tooltip="Record a recommendation for the customer (what, why, safety, price), kept for later"),
        binding("l", "tab('lines')", "Lines", show=False),
        binding("h", "tab('history')", "History", show=False),
        binding("t", "tab('terms')", "Terms", show=False),
        binding("w", "walkaround", "Walkaround", show=False, tooltip="Open the walkaround of this order"),
        binding("u", "order_history", "Order history", show=False, tooltip="Who did what to this order, when, before and after"),
        binding("i", "accident", "Accident claim", show=False,
                tooltip="The order's accident record: insurer, report number, assessment, papers (事故车)"),
    ]

    #: The order as shown. Set once no change waits: a burst of keys shows its end result once.
    order: var[Loaded | None] = var(None, always_update=True)
    #: Pay types cycled (P) and not saved yet, by row key: shown at once, cleared when the order is shown.
    pending: var[dict[str, Override]] = var(dict)
    #: The line in the editor as typed (values that read), by row key: the row and the totals preview it.
    typed: var[dict[str, Override]] = var(dict)
    #: What the strip above the lines offers (the due package, open campaigns), less what was taken here.
    offers: var[Offers] = var(Offers, always_update=True)
    #: From 110x30 up the history, or the terms, stand under the lines, which show every column.
    wide = var(False, init=False, toggle_class="-wide")

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self._order_id = order_id
        self._loaded: Loaded | None = None  # the last reading; the one shown may be older while changes wait
        self._changes: ChangeQueue[Outcome] = ChangeQueue(self._run_change, failed=self._failed,
                                                          version_of=lambda outcome: outcome[1].view.version)
        self._printing = False
        self._offers_stale = True  # read the offers once the order is on show (and again after F5)
        # Offers taken on this screen ("p<package id>", "c<campaign vehicle id>"): saved, and on their way.
        self._taken: set[str] = set()
        self._taking: set[str] = set()
        self.sign_started: float | None = None  # monotonic time F9 was confirmed (the tests time it)
        self.sign_seconds: float | None = None  # confirm to back at the desk

    # Layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        shows, previews = (EstimateScreen.order,), (EstimateScreen.order, EstimateScreen.pending, EstimateScreen.typed)
        yield Header(show_clock=self.fd.show_clock)
        yield OrderHead(_("Loading the order…"), id="est-head").data_bind(*shows)
        tabs = Tabs(Tab(_("Lines"), id="tab-lines"), Tab(_("History"), id="tab-history"),
                    Tab(_("Terms"), id="tab-terms"), id="est-tabs")
        tabs.can_focus = False  # F7 and L/H/T switch; the tabs only show where you are
        yield tabs
        yield OfferStrip(id="est-offers").data_bind(EstimateScreen.order, EstimateScreen.offers)
        self._body = PaneSwitcher(id="est-body").data_bind(EstimateScreen.wide)
        self._lines = LinesPane(self._settings, lambda: self.view, id="lines-pane", classes="est-pane")
        self._history = HistoryPane(id="history-pane", classes="est-pane")
        self._terms = TermsForm(id="terms-pane", classes="est-pane")
        with self._body:
            yield self._lines.data_bind(*previews)
            yield self._history.data_bind(*shows)
            yield self._terms.data_bind(*shows)
        yield TotalsBar(self._settings, id="est-totals").data_bind(*previews)
        yield KeyFooter()

    def _settings(self) -> Settings:
        return self.services.settings

    def on_mount(self) -> None:
        self.wide = self.size.width >= WIDE[0] and self.size.height >= WIDE[1]
        self._show_tab("lines", focus=False)
        self.action_refresh()

    def on_resize(self) -> None:
        self.wide = self.size.width >= WIDE[0] and self.size.height >= WIDE[1]

    @property
    def _tab(self) -> str:
        """The tab on show: lines, history or terms."""
        return self._body.tab

    def _show_tab(self, name: str, *, focus: bool = True) -> None:
        self._body.tab = name
        tabs = self.query_one("#est-tabs", Tabs)
        if tabs.active != f"tab-{name}":
            tabs.active = f"tab-{name}"
        if not focus:
            return
        if name == "lines":
            self._table.focus()
        elif name == "history":
            self._history.focus_list()
        else:
            self.query_one("#promised_at", Input).focus()

    @on(Tabs.TabActivated, "#est-tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "").removeprefix("tab-")
        if name in TABS and name != self._tab:
            self._show_tab(name)

    def action_tab(self, name: str) -> None:
        if self._editing is None:
            self._show_tab(name)

    def action_next_tab(self) -> None:
        if self._editing is None:
            self._show_tab(TABS[(TABS.index(self._tab) + 1) % len(TABS)])

    @property
    def _table(self) -> LinesTable:
        return self._lines.table

    # Loading and showing ------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._changes.busy:
            return
        self._offers_stale = True
        self.call_service(load, self.services, self.actor, self._order_id, then=self._apply, group="estimate-load")

    def _apply(self, loaded: Loaded) -> None:
        self._loaded = loaded
        self._changes.version = loaded.view.version
        if self._changes.waiting:  # more changes on their way: show the end result once
            return
        self.pending = {}
        self.typed = {}
        self.order = loaded
        self._lines.show_detail()
        if self._offers_stale:
            self._read_offers(loaded)

    @property
    def view(self) -> desk.OrderView | None:
        return self._loaded.view if self._loaded else None

    @property
    def _editing(self) -> str | None:
        """The row key of the line in the editor."""
        return self._lines.editing

    # Changes: one at a time, each with the version the previous one left -------------------------------

    def _submit(self, fn: Callable[..., Any], *args: Any, then: Callable[[Any], None] | None = None,
                **kwargs: Any) -> None:
        self._changes.submit(partial(change, self.services, self.actor, self._order_id, fn, *args, **kwargs),
                             then=partial(self._changed, then))

    def _run_change(self, call: Callable[[], Any], then: Callable[[Any], None],
                    failed: Callable[[FrontdeskError], None]) -> None:
        self.call_service(call, then=then, failed=failed, group="estimate-change")

    def _changed(self, then: Callable[[Any], None] | None, outcome: Outcome) -> None:
        result, loaded = outcome
        self._apply(loaded)
        if then is not None:
            then(result)

    def _failed(self, error: FrontdeskError) -> None:
        """The queue stopped (the changes after this one are not sent): say why and show the order as saved."""
        self.pending = {}
        self._taking.clear()  # an offer refused (or dropped with it) comes back
        self._offers_stale = True
        if isinstance(error, ConflictError):
            self.notify(str(error), title=_("Not saved"), severity="error", timeout=8)
            self._terms.forget_edits()  # show what the other terminal saved
            self.action_refresh()
            return
        if isinstance(error, ValidationError) and error.field in FIELD_HOME:
            home = FIELD_HOME[error.field]
            if home in TERMS_FIELDS:
                self._show_tab("terms")
            self._field_error(home, error.message)
        self.show_error(error)
        if self._loaded is not None:
            self._apply(self._loaded)

    def _field_error(self, home: str, message: str) -> None:
        try:
            self.query_one(f"#{home}-error", Static).update(message)
        except NoMatches:
            pass

    def _refuse_unless_editable(self) -> bool:
        """True (and a word to the advisor) when the estimate can no longer change, or a line is being edited."""
        return self._lines.refuse_unless_editable()

    # Adding ---------------------------------------------------------------------------------------

    def action_add_job(self) -> None:
        if self._refuse_unless_editable():
            return
        from ..catalog_picker import LaborOpPicker

        def picked(op_id: int | None) -> None:
            if op_id is not None:
                self._submit(estimate.add_job, labor_op_id=op_id, then=self._job_added)

        self.app.push_screen(LaborOpPicker(partial(desk.find_labor_ops, self.services)), picked)

    def _job_added(self, job: JobRef) -> None:
        self._show_tab("lines")
        self._table.move_to_key(f"j{job.id}")
        self.notify(_("Added: {job}").format(job=job.description), timeout=3)

    def action_add_part(self) -> None:
        if self._refuse_unless_editable():
            return
        from ..catalog_picker import PartPicker

        picker = PartPicker(partial(desk.find_parts, self.services, self.actor), *self._lines.part_targets())

        def picked(part_id: int | None) -> None:
            if part_id is None:
                return
            job_id = picker.target_job_id
            job = self._lines.line(f"j{job_id}") if job_id is not None else None
            pay = job.pay_type if job is not None else PayType.CUSTOMER.value  # a job's parts are paid as it is
            self._submit(estimate.add_part, part_id=part_id, qty="1", job_id=job_id, pay_type=pay,
                         then=self._part_added)

        self.app.push_screen(picker, picked)

    def _part_added(self, line: PartLineRef) -> None:
        self._show_tab("lines")
        self._table.move_to_key(f"p{line.id}")
        self.action_edit()  # the quantity is what comes next
        added = self._lines.selected
        if added is not None and added.short:
            self.notify(_("{part}: not enough in stock, the line is marked SHORT.").format(part=added.description),
                        severity="warning", timeout=6)

    def action_add_recommendation(self) -> None:
        if self._tab != "history" and not self._history.choosing:
            return
        self._add_recommendation()

    @on(HistoryPane.Chosen)
    def _add_recommendation(self) -> None:
        if self._refuse_unless_editable() or self._loaded is None:
            return
        rec_id = self._history.chosen
        rec = next((r for r in self._loaded.history.declined if r.id == rec_id), None)
        if rec is None:
            return
        if on_estimate(self._loaded.view, rec):
            self.notify(_("{job} is already on this estimate.").format(job=rec.description), severity="warning")
            return
        # Taken up: the recommendation becomes this estimate's line (one record, services/recommendations.py).
        unpriced = rec.hours is None and rec.labor_op_id is None
        self._submit(take_up, rec.id, "0" if unpriced else None,
                     then=partial(self._recommendation_added, unpriced))

    def _recommendation_added(self, unpriced: bool, ref: RecommendationRef) -> None:
        self._show_tab("lines")
        self._table.move_to_key(f"j{ref.job_id}")
        self.notify(_("Added: {job}").format(job=ref.description), timeout=3)
        if unpriced:
            self.action_edit()  # no hours were quoted for it: they come next

    def action_recommend(self) -> None:
        head = self.view.plate if self.view is not None else ""
        open_recommend(self, self._order_id, head, lambda _ref: self.action_refresh())

    # Packages and the offers above the lines ----------------------------------------------------------

    def _read_offers(self, loaded: Loaded) -> None:
        """The due package and the open campaigns, in a worker of their own: the order is on show already."""
        self._offers_stale = False
        if loaded.view.status not in EDITABLE:
            self._show_offers(Offers())
            return
        self.call_service(load_offers, self.services, self.actor, loaded.view.vehicle_id, loaded.view.odometer_km,
                          then=self._show_offers, failed=lambda _error: None, group="estimate-offers", saves=False)

    def _show_offers(self, offers: Offers) -> None:
        """Shown less what was taken here (a campaign stays open until the order that does it is delivered)."""
        package = offers.package
        gone = self._taken | self._taking
        if package is not None and f"p{package.package.id}" in gone:
            package = None
        flags = tuple(flag for flag in offers.campaigns
                      if f"c{flag.campaign_vehicle_id}" not in gone and not self._on_an_order(flag))
        self.offers = Offers(package, flags)
        self.refresh_bindings()

    def _on_an_order(self, flag: CampaignFlag) -> bool:
        """The campaign is on another order, or its jobs (named with its code) are on this one."""
        if flag.order_id is None:
            return False
        v = self.view
        if v is None or flag.order_id != v.id:
            return True
        return any(line.kind == "labor" and line.status != JobStatus.DECLINED
                   and line.description.startswith(f"{flag.code} ") for line in v.lines)

    def _drop_offer(self, taken: str) -> None:
        """An offer taken leaves the strip at once (its change waits in the queue)."""
        self._taking.add(taken)
        self._show_offers(self.offers)

    def _took(self, taken: str) -> None:
        self._taking.discard(taken)
        self._taken.add(taken)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "take_package":
            return self.offers.package is not None
        if action == "add_campaign":
            return bool(self.offers.campaigns)
        return super().check_action(action, parameters)

    def on_key(self, event: events.Key) -> None:
        """Y and C are in the footer only while there is an offer; pressed without one, they say why.

        (Textual runs DeskScreen.on_key as well, after this one: it speaks for dimmed keys only.)
        """
        key = event.key.lower() if len(event.key) == 1 else event.key
        if key not in ("y", "c") or isinstance(self.focused, Input):
            return
        if key == "y" and self.offers.package is None:
            event.stop()
            self.notify(_("No service package is due for this car now: K picks one from the packages."), timeout=4)
        elif key == "c" and not self.offers.campaigns:
            event.stop()
            self.notify(_("This car has no open recall or service campaign."), timeout=4)

    def action_take_package(self) -> None:
        due = self.offers.package
        if due is None or self._refuse_unless_editable():
            return
        self._add_package(due.package)

    def action_add_package(self) -> None:
        """K: a package from the catalog, those for this car first."""
        v = self.view
        if v is None or self._refuse_unless_editable():
            return
        from ..catalog_picker import PackagePicker

        picker = PackagePicker(partial(packages.find_packages, self.services, self.actor, vehicle_id=v.vehicle_id))

        def picked(package_id: int | None) -> None:
            hit = next((h for h in picker.hits if h.id == package_id), None)
            if hit is not None:
                self._add_package(hit)

        self.app.push_screen(picker, picked)

    def _add_package(self, hit: PackageHit) -> None:
        """One change: the package's labour as jobs, its parts on them (services/packages.py)."""
        self._drop_offer(f"p{hit.id}")
        self._submit(packages.add_package, hit.id, then=partial(self._package_added, hit))

    def _package_added(self, hit: PackageHit, job: JobRef) -> None:
        self._took(f"p{hit.id}")
        self._show_tab("lines")
        self._table.move_to_key(f"j{job.id}")
        self.notify(_("Added: {package} ({n} lines, each can be edited)").format(package=hit.name, n=len(hit.lines)),
                    timeout=4)

    def action_add_campaign(self) -> None:
        """C: the first open campaign of the strip; its jobs at the maker's pay type (services/campaigns.py)."""
        if not self.offers.campaigns or self._refuse_unless_editable():
            return
        flag = self.offers.campaigns[0]
        self._drop_offer(f"c{flag.campaign_vehicle_id}")
        self._submit(campaigns.add_to_order, flag.campaign_vehicle_id, then=partial(self._campaign_added, flag))

    def _campaign_added(self, flag: CampaignFlag, job: JobRef) -> None:
        self._took(f"c{flag.campaign_vehicle_id}")
        self._show_tab("lines")
        self._table.move_to_key(f"j{job.id}")
        self.notify(_("Added: {campaign} (warranty: the maker pays)").format(campaign=f"{flag.code} {flag.title}"),
                    timeout=4)

    # Editing the selected line ----------------------------------------------------------------------

    @on(DataTable.RowSelected, "#lines")
    def action_edit(self) -> None:
        if self._refuse_unless_editable():
            return
        line = self._lines.selected
        if line is None:
            self.notify(_("No line selected: F2 adds a job, F3 a part."), severity="warning")
            return
        if line.status == JobStatus.DECLINED:
            self.notify(_("The customer declined this job: add it again from the history (H)."), severity="warning")
            return
        self._show_tab("lines", focus=False)
        self._lines.edit(line)

    @on(LinesPane.Previewed)
    def _previewed(self, event: LinesPane.Previewed) -> None:
        if event.key == self._editing:  # not a key typed before the edit was dropped
            self.typed = {} if event.override is None else {event.key: event.override}

    @on(LinesPane.Closed)
    def _edit_closed(self) -> None:
        if self._changes.idle and self._loaded is not None:
            self._apply(self._loaded)  # nothing changed: the table as saved

    def _cancel_edit(self) -> None:
        self._lines.close()
        if self._loaded is not None:
            self._apply(self._loaded)

    # One-key changes of the selected line (the lines pane decides, the queue saves) ----------------------

    def action_cycle_pay(self) -> None:
        line = self._lines.line_for_key()
        if line is None:
            return
        key = row_key(line)
        override = cycle_pay(line, self.pending.get(key), self.services.settings)
        self.pending = {**self.pending, key: override}  # the row and the totals show it at once
        self._lines.show_detail()
        pay = override.pay_type or line.pay_type
        self._submit(estimate.update_job if line.kind == "labor" else estimate.update_part, line.id, pay_type=pay)

    def action_toggle_safety(self) -> None:
        self._lines.toggle_safety()

    def action_toggle_recommended(self) -> None:
        self._lines.toggle_recommended()

    def action_decline(self) -> None:
        self._lines.decline()

    def action_delete_line(self) -> None:
        self._lines.delete()

    @on(LinesPane.Change)
    def _line_change(self, event: LinesPane.Change) -> None:
        self._submit(event.fn, *event.args, then=event.then, **event.kwargs)

    # Terms ---------------------------------------------------------------------------------------------

    def _save_terms(self, then: Callable[[Any], None] | None = None) -> None:
        if self._refuse_unless_editable():
            return
        data = self._terms.read(self.services.clock())
        if data is None:
            self._show_tab("terms")
            return

        def saved(order: Any) -> None:
            self._terms.forget_edits()  # the form now shows what was saved
            if self._loaded is not None:
                self._terms.show(self._loaded)
            if then is not None:
                then(order)
            else:
                self.notify(_("Terms saved."), timeout=3)

        self._submit(estimate.set_terms, then=saved, **data)

    def action_save(self) -> None:
        if self._editing is not None:
            self._lines.submit()
        else:
            self._save_terms()

    # Signing and printing ------------------------------------------------------------------------------

    def action_sign(self) -> None:
        v = self.view
        if v is None or self._changes.busy:
            return
        if v.status not in EDITABLE:
            self.notify(_("Order {number} is {status}: it was signed by {name}.").format(
                number=v.number, status=status(v.status), name=v.signed_by or "—"), severity="warning")
            return
        if self._refuse_unless_editable():
            return
        problems = {**order_problems(v), **self._terms.missing()}  # found here, before the customer is asked
        if problems:
            for field, message in problems.items():
                self._field_error(field, message)
            if any(field in TERMS_FIELDS for field in problems):
                self._show_tab("terms")
                first = next(field for field in TERMS_FIELDS if field in problems)
                self.query_one(f"#{first}").focus()
            self.notify("\n".join(f"• {m}" for m in problems.values()), title=_("Not ready to sign"),
                        severity="error", timeout=10)
            return
        if self._terms.unsaved():
            self._save_terms(then=lambda _order: self._ask_signature())
        else:
            self._ask_signature()

    def _ask_signature(self) -> None:
        from ..sign import SignScreen, SignSummary

        self.clear_errors()
        self.app.clear_notifications()  # an earlier "not ready to sign" no longer holds

        v = self.view
        assert v is not None
        promise = v.promised_at.strftime(PROMISE_FORMAT) if v.promised_at else "—"
        summary = SignSummary(v.number, v.plate, v.customer_name, money.format_money(v.totals.net),
                              money.format_money(v.totals.customer_payable), promise,
                              label(PAYMENT_METHOD, v.payment_method) or "—")

        def signed(name: str | None) -> None:
            if not name:
                return
            self.sign_started = time.monotonic()
            self._submit(estimate.authorise, name, then=lambda _order: self._authorised(name))

        self.app.push_screen(SignScreen(summary), signed)

    def _authorised(self, signer: str) -> None:
        self.notify(_("Signed by {name}: the work is authorised. Printing…").format(name=signer), timeout=4)
        self._print(("work-order", "checkin-sheet"), leave=True)

    def action_print(self) -> None:
        if self.view is None:
            return
        self._print(("work-order",), leave=False)

    def _print(self, kinds: tuple[str, ...], *, leave: bool) -> None:
        if self._printing:
            self.notify(_("Still printing…"), timeout=2)
            return
        v = self.view
        assert v is not None
        self._printing = True
        number = v.number

        def next_one(rest: tuple[str, ...], ok: bool) -> None:
            """One document at a time through the pipeline; any failure is said, then the next one printed."""
            if not rest:
                self._printed_all(ok, leave)
                return
            kind = rest[0]

            def printed(result: Any) -> None:
                say_printed(self, kind, result)
                next_one(rest[1:], ok)

            def failed(error: FrontdeskError) -> None:
                self.show_error(error)
                next_one(rest[1:], False)

            self.call_service(print_one, self.services, kind, number, then=printed, failed=failed,
                              group="estimate-print", saves=False)

        next_one(kinds, True)

    def _printed_all(self, ok: bool, leave: bool) -> None:
        self._printing = False
        if not leave:
            return
        if not ok:  # stay: F8 prints again
            self.notify(_("The order is signed; print again with F8."), severity="warning", timeout=10)
            return
        if self.sign_started is not None:
            self.sign_seconds = time.monotonic() - self.sign_started
        if self.app.screen is self:
            self.app.pop_screen()

    # Leaving and neighbours ---------------------------------------------------------------------------------

    def action_walkaround(self) -> None:
        if self._editing is not None:
            return
        self.fd.open_destination("walkaround", switch=True, order_id=self._order_id)

    def action_order_history(self) -> None:
        self.fd.open_destination("order_history", order_id=self._order_id)

    def action_accident(self) -> None:
        self.fd.open_destination("accident", order_id=self._order_id)

    def unsaved_work(self) -> str | None:
        """Asked by the shared desk's lock (FrontdeskApp.unsaved_work) before another user closes this screen."""
        if self._editing is not None or self._changes.waiting or (self._terms.edited() and self.view is not None and self.view.status in EDITABLE):
            return _("the estimate's unsaved changes")
        return None

    def action_back(self) -> None:
        """Esc: drops the line being edited; on the history or the terms, back to the lines; then leaves."""
        if self._editing is not None:
            self._cancel_edit()
            return
        if self._tab != "lines":
            self._show_tab("lines")
            return
        if self._terms.edited() and self.view is not None and self.view.status in EDITABLE:
            from ..confirm import ConfirmScreen

            def answered(leave: bool | None) -> None:
                if leave:
                    super(EstimateScreen, self).action_back()

            self.app.push_screen(ConfirmScreen(_("Leave without saving the terms?"),
                                               _("The promised time, payment method, old parts or wash were changed and not saved (F6)."),
                                               yes=_("Leave"), no=_("Stay")), answered)
            return
        super().action_back()
