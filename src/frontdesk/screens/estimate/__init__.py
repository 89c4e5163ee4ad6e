"""The estimate builder (估价): jobs and parts, pay types, stock, live totals, history, terms; sign, print.

One order, three views (tabs on a small terminal; from 110x30 up the history, or the terms,
stay in view under the lines, which then show every column):

- Lines: every job with its parts beneath it, their pay types, stock (a part that cannot
  be reserved in full is marked SHORT, never hidden) and status. F2 adds a job from the
  labor catalog, F3 a part (on the selected job), Enter or F4 edits the selected line's
  quantity/hours and price/rate, P cycles its pay type, S flags a job as safety-related,
  Del deletes the line and D records that the customer declined a proposed job.
- History: the vehicle's earlier visits and the recommendations it was refused before
  (including those declined on this order); Enter adds one to this estimate as a
  recommended job.
- Terms: the promised completion time (suggested from the hours and the workshop's load,
  and the advisor's to override), payment method, old parts, wash; F6 saves them.

L, H and T (or F7) switch the tabs; Esc goes back to the lines, and from there to the desk;
W opens the order's walkaround (signing needs one).

The totals per pay type, the tax share and the grand total stay in view below, and follow
the keyboard: while a quantity or a price is being typed they are worked out by the
service's own rules (``services.billing``: which lines bill, and the labour rate a new pay
type brings), from what this screen shows, before anything is saved ("preview" marks them
until then).

F9 reads the work order back to the customer (a modal: who signs, the total) and
authorises it; the work order and the check-in sheet are then rendered and printed in a
worker, each announced when its file is written, and the screen returns to the desk. F8
prints the work order alone (before signing it prints as an estimate).

Every change is one service call with the order version this screen showed; they are
queued (``frontdesk.change_queue``) so that fast keys (P pressed three times) are saved in
order, each with the version the previous one left, and the order is read again after
each. Another terminal's change since then is reported and the order reloaded.

The screen is made of parts that each show one thing and follow the screen's reactives:
``order`` (the order as shown: set once no change waits), ``pending`` (pay types cycled,
not saved) and ``typed`` (the line being edited). The head, the lines table, the line's
detail, the history, the terms and the totals bar redraw themselves from them; the editor
and the history say what the advisor did with messages. The keys stay the screen's, so
the footer and F1 show every one wherever the focus is.

Where each part lives: ``screen`` (the keys, the queue, signing and printing),
``order_head``, ``lines_pane`` (``lines_table``, ``line_detail``, ``line_editor``),
``history_pane``, ``terms_form``, ``totals_bar``; ``preview`` works out the figures of what
is not saved yet and ``reading`` what a worker reads and saves.
"""

from .preview import PAY_CYCLE, Override, cycle_pay, preview_totals, shown
from .screen import EstimateScreen

__all__ = ["PAY_CYCLE", "EstimateScreen", "Override", "cycle_pay", "preview_totals", "shown"]
