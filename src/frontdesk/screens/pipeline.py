"""One way from a screen to the database or the printer, and back: the only workers screens start.

Every database or printing call of a screen, a dialog, a widget or the app goes through
:func:`call` (``DeskScreen.call_service`` is a shorthand for it). The call runs in a thread,
so the UI never waits on the database, and its answer comes back on the UI thread. Every
failure reaches the user and the log (``frontdesk.error_log``):

- a ``FrontdeskError`` (a refusal the user can act on) goes to ``failed`` as it is; the log
  gets one line naming its class;
- anything else (a bug, a lost database) is logged with its traceback and reaches
  ``failed`` as an :class:`UnexpectedError`, itself a ``FrontdeskError``, so the screen's
  own failure path runs as for a refusal (a busy flag is reset, a dialog stays open, a
  "Checking…" is replaced). It says "nothing was saved" for a save (a ``@service`` is one
  transaction, rolled back), not for a read, where there was nothing to save;
- an error while showing the answer (``then`` raised) is logged and notified, without
  "nothing was saved": the save itself went through.

Nothing escapes the job, so no worker ends in Textual's ERROR state, where nobody would
see it (nothing listens to ``Worker.StateChanged``). A screen closed while its call is out
drops the answer; a failed save is still notified on the app, and every failure is logged.

The log gets ids only: the called function's qualified name, the service's action, the
signed-in user's id and the order's id (an ``order_id`` argument or the screen's own),
never the arguments, which carry names and phones.

:func:`ahead` starts a read before its screen is even built (the desk home paints with its
lists); the screen hands it over to the pipeline once mounted. No screen starts a thread of
its own.

Answers are plain data (services/refs.py): an ORM record reaching a screen is detached, and
reading it there is a lazy load waiting to fail. :func:`mapped_in` looks for one in every
answer (the answer itself, or one level into a tuple, list, set, dict or dataclass); one
found is logged as an error and handed on, or, when :data:`strict` (the tests), fails the
worker and with it the app, so that the test fails.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import functools
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from frontdesk import key_hold
from frontdesk.i18n import gettext as _
from frontdesk.services.errors import FrontdeskError

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.worker import Worker

R = TypeVar("R")
log = logging.getLogger("frontdesk.pipeline")

Ids = dict[str, Any]

#: Whether an answer holding an ORM record fails the call's worker (and the app: the tests set it) or is
#: only logged (a store's console, where the screen goes on as before).
strict = False


class RecordLeaked(TypeError):
    """An answer held an ORM record: services hand screens frozen dataclasses (services/refs.py)."""


class UnexpectedError(FrontdeskError):
    """What a call raised that is not a ``FrontdeskError``, worded for the user.

    ``saves``: the call was a save that rolled back, so the message says nothing was saved.
    ``detail`` is the original error's text (what the user is shown after the colon).
    """

    def __init__(self, cause: BaseException, *, saves: bool) -> None:
        detail = str(cause) or type(cause).__name__
        text = _("Unexpected error; nothing was saved: {error}") if saves else _("Unexpected error: {error}")
        super().__init__(text.format(error=detail))
        self.detail = detail
        self.saves = saves


def call(
    node: DOMNode,
    fn: Callable[..., R],
    *args: Any,
    then: Callable[[R], object] | None = None,
    failed: Callable[[FrontdeskError], object] | None = None,
    group: str = "service",
    exclusive: bool = False,
    saves: bool | None = None,
    **kwargs: Any,
) -> Worker[None]:
    """Run ``fn(*args, **kwargs)`` in a thread; ``then(result)`` or ``failed(error)`` back on the UI thread.

    ``failed`` defaults to a notification. ``exclusive`` cancels the group's earlier calls
    (their answers are dropped). ``saves`` says whether an unexpected error may be reported
    as "nothing was saved" (by default: see :func:`_saves`).
    """
    ids = _ids(node, fn, kwargs)
    saving = _saves(fn) if saves is None else saves

    async def job() -> None:
        running = asyncio.ensure_future(asyncio.to_thread(fn, *args, **kwargs))
        try:
            result = await asyncio.shield(running)
        except asyncio.CancelledError:  # the screen went away, or a newer call of the group replaced it
            running.add_done_callback(functools.partial(_after_cancel, node, ids, saving))
            raise
        except Exception as exc:  # noqa: BLE001 - the catch-all: every failure is said and logged
            _failed(node, failed, exc, ids, saving)
            return
        _check_plain(result, ids)
        if then is not None:
            _show(node, then, result, ids)

    worker = node.run_worker(job, group=group, exclusive=exclusive, exit_on_error=strict,
                             description=str(ids.get("call", "")))
    key_hold.worker_started(node, worker, saves=saving)  # keys typed meanwhile may have to wait for it
    return worker


def notify_error(node: DOMNode, error: FrontdeskError) -> None:
    """The default ``failed``: a notification on the app (dialogs and the app have no field to mark)."""
    title = _("Unexpected error") if isinstance(error, UnexpectedError) else _("Not saved")
    node.app.notify(str(error), title=title, severity="error", timeout=10)


class Ahead(Generic[R]):
    """A read started before its screen is built; the screen hands it to the pipeline with :meth:`take`."""

    def __init__(self, fn: Callable[..., R], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self._fn = fn
        self._future: concurrent.futures.Future[R] = _pool.submit(fn, *args, **kwargs)
        self._order_id = kwargs.get("order_id")

    def take(self, node: DOMNode, *, then: Callable[[R], object],
             failed: Callable[[FrontdeskError], object] | None = None,
             wait: float = 0.0, group: str = "service") -> Worker[None] | None:
        """The answer to ``then`` now if it comes within ``wait`` seconds, else from a worker when it comes."""
        ids = _ids(node, self._fn, {"order_id": self._order_id})
        saving = _saves(self._fn)
        try:
            result = self._future.result(timeout=wait)
        except concurrent.futures.TimeoutError:  # still reading (a far server): the pipeline waits for it
            future = self._future

            async def job() -> None:
                try:
                    answer = await asyncio.wrap_future(future)
                except Exception as exc:  # noqa: BLE001 - as in call()
                    _failed(node, failed, exc, ids, saving)
                    return
                _check_plain(answer, ids)
                _show(node, then, answer, ids)

            return node.run_worker(job, group=group, exit_on_error=strict, description=str(ids["call"]))
        except Exception as exc:  # noqa: BLE001 - as in call()
            _failed(node, failed, exc, ids, saving)
        else:
            _check_plain(result, ids)
            _show(node, then, result, ids)
        return None


def ahead(fn: Callable[..., R], *args: Any, **kwargs: Any) -> Ahead[R]:
    """Start ``fn(*args, **kwargs)`` now, on the pipeline's own thread, before any widget exists."""
    return Ahead(fn, args, kwargs)


def mapped_in(value: object) -> str | None:
    """The class name of an ORM record ``value`` is or holds one level down, or None when it is plain data.

    Without the model loaded there can be no record (the plain-SQL path never loads it): then
    nothing is looked at, and nothing is imported.
    """
    model = sys.modules.get("frontdesk.model.base")
    if model is None:
        return None
    base = model.Base
    for part in _parts(value):
        if isinstance(part, base):
            return type(part).__name__
    return None


# Inside ---------------------------------------------------------------------------------------


def _parts(value: object) -> list[object]:
    """``value`` and what it holds one level down."""
    if isinstance(value, (tuple, list, set, frozenset)):
        return [value, *value]
    if isinstance(value, dict):
        return [value, *value.keys(), *value.values()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [value, *(getattr(value, f.name) for f in dataclasses.fields(value))]
    return [value]


def _check_plain(result: object, ids: Ids) -> None:
    """Log an answer that holds an ORM record; raise :class:`RecordLeaked` as well when :data:`strict`."""
    leaked = mapped_in(result)
    if leaked is None:
        return
    log.error("an ORM record reached a screen: %s", leaked, extra={"ids": ids})
    if strict:
        raise RecordLeaked(f"{ids.get('call')} answered with a {leaked} record; hand screens plain data")


#: The reads started before their screen exists (``ahead``); its threads start with the first one.
_pool = concurrent.futures.ThreadPoolExecutor(max_workers=2, thread_name_prefix="frontdesk-ahead")


def _saves(fn: Callable[..., Any]) -> bool:
    """Whether an unexpected failure of ``fn`` may be reported as "nothing was saved".

    A ``@service`` (services/context.py marks it with its action) is one transaction, rolled
    back: yes. Any other function of the services is a read (every state change is a
    ``@service``): no, there was nothing to save. A screen's own job is taken for a save:
    until it finishes, its transaction is not committed. Callers that know better say ``saves=``.
    """
    target = fn.func if isinstance(fn, functools.partial) else fn
    if isinstance(getattr(target, "action", None), str):
        return True
    return not (getattr(target, "__module__", None) or "").startswith("frontdesk.services.")


def _ids(node: DOMNode, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Ids:
    """What the log may say about a call: names from the code and integer ids, nothing typed by anyone."""
    target = fn.func if isinstance(fn, functools.partial) else fn
    name = getattr(target, "__qualname__", None) or type(target).__qualname__
    module = getattr(target, "__module__", None) or type(target).__module__
    try:
        actor = getattr(node.app, "actor", None)
    except Exception:  # noqa: BLE001 - a node without an app yet: no user to name
        actor = None
    order_id = kwargs.get("order_id")
    for attribute in ("order_id", "_order_id"):
        if not isinstance(order_id, int):
            order_id = getattr(node, attribute, None)
    action = getattr(target, "action", None)
    return {
        "call": f"{module}.{name}",
        "action": action if isinstance(action, str) else None,
        "user_id": getattr(actor, "user_id", None),
        "order_id": order_id if isinstance(order_id, int) and not isinstance(order_id, bool) else None,
    }


def _log(exc: BaseException, ids: Ids) -> None:
    if isinstance(exc, FrontdeskError):
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, FrontdeskError):
            # A driver's or a bug's error worded for the user (a conflict, a busy store, "not saved: ..."):
            # its traceback is what support needs.
            log.warning("refused: %s", type(exc).__name__, exc_info=exc, extra={"ids": ids})
        else:  # a plain refusal: its message may quote what was typed, so only its kind is written
            log.info("refused: %s", type(exc).__name__, extra={"ids": ids})
        return
    log.error("unexpected error", exc_info=exc, extra={"ids": ids})


def _failed(node: DOMNode, failed: Callable[[FrontdeskError], object] | None, exc: Exception, ids: Ids,
            saving: bool) -> None:
    _log(exc, ids)
    error = exc if isinstance(exc, FrontdeskError) else UnexpectedError(exc, saves=saving)
    _show(node, failed or functools.partial(notify_error, node), error, ids)


def _show(node: DOMNode, callback: Callable[[Any], object], value: Any, ids: Ids) -> None:
    """Run ``callback(value)`` on the UI thread; if it breaks, log it and say so on the app."""
    try:
        callback(value)
    except Exception as exc:  # noqa: BLE001 - a screen that cannot show an answer must still say something
        log.error("showing the answer failed", exc_info=exc, extra={"ids": ids})
        try:
            node.app.notify(str(UnexpectedError(exc, saves=False)), title=_("Unexpected error"), severity="error",
                            timeout=10)
        except Exception:  # noqa: BLE001 - the app is closing: the log has it
            pass


def _after_cancel(node: DOMNode, ids: Ids, saving: bool, running: asyncio.Future[Any]) -> None:
    """The answer of a call whose screen went away: dropped, but a failure is logged (and a failed save said)."""
    if running.cancelled():
        return
    exc = running.exception()
    if exc is None:
        return
    _log(exc, ids)
    if saving and isinstance(exc, Exception):
        error = exc if isinstance(exc, FrontdeskError) else UnexpectedError(exc, saves=True)
        try:
            notify_error(node, error)
        except Exception:  # noqa: BLE001 - the app is closing: the log has it
            pass
