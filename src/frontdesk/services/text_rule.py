"""The text rule at the service boundary: every text argument of every ``@service`` call is checked.

One place instead of a check in each of sixty services, so no service (nor a new one) can
forget it: :func:`check_arguments` runs at the top of every call (``service()`` in
``context.py``), after the role check and before the transaction. It walks the arguments —
text, paths, the input dataclasses, and the dicts, lists and tuples that hold them — and
applies :func:`frontdesk.services.validation.check_text` to each string; the error names the
parameter or dataclass field, which is also the form field a screen marks.

Which fields may span lines is an explicit list (:data:`MULTI_LINE`): the remarks and notes
people write as sentences; everything else (names, numbers, references, a job's one-line
description on the work order) is one line. Two kinds of argument are left alone
(:data:`NOT_TEXT`): passwords are hashed and never stored or shown, and a report passed to
an export was computed from stored rows (refusing them there would make old data
unexportable).

Cost: the parameter names of a service are looked up once and cached; per call it is a
type test per argument and one compiled-regex search per string — a few microseconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import inspect
from collections.abc import Callable
from decimal import Decimal
from pathlib import PurePath
from typing import Any, Final

from .errors import ValidationError
from .validation import text_problem

__all__ = ["MULTI_LINE", "NOT_TEXT", "check_arguments", "check_value"]

# Fields (parameters or dataclass fields, by name) that may hold newlines and tabs: what the
# desk writes as sentences. The check-in concerns are a multi-line area on screen
# (widgets/notes_area.py); notes, resolutions and recommendations are printed as paragraphs.
MULTI_LINE: Final = frozenset({"concerns", "notes", "note", "recommendations", "resolution", "requested_work",
                                 "fault", "cause", "remedy"})  # a warranty claim's paragraphs (services/warranty_claims.py)
# Per action: a name that means a paragraph only there (a job's description is one line).
MULTI_LINE_BY_ACTION: Final[dict[str, frozenset[str]]] = {"complaint.open": frozenset({"description"})}
NOT_TEXT: Final = frozenset({"password", "report", "progress"})

# Types that hold no text: answered by one set lookup.
_SKIP: Final = frozenset({int, bool, float, type(None), Decimal, dt.date, dt.datetime, dt.time})
_PARAMETERS: dict[Callable[..., Any], tuple[str, ...]] = {}
_FIELDS: dict[type, tuple[str, ...]] = {}


def _parameters(fn: Callable[..., Any]) -> tuple[str, ...]:
    """The names of ``fn(tx, ...)``'s parameters after ``tx``, in order."""
    names = _PARAMETERS.get(fn)
    if names is None:
        names = _PARAMETERS[fn] = tuple(inspect.signature(fn).parameters)[1:]
    return names


def check_value(field: str, value: Any, multiline: bool = False) -> None:
    """Raise ``ValidationError(field, …)`` when ``value`` is, or holds, text the rule refuses."""
    kind = type(value)
    if kind is str:
        problem = text_problem(value, multiline)
        if problem is not None:
            raise ValidationError(field, problem)
    elif kind in _SKIP or isinstance(value, enum.Enum):  # enum members: the code's own words
        return
    elif isinstance(value, str):
        check_value(field, str(value), multiline)
    elif isinstance(value, PurePath):
        check_value(field, str(value))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_value(field, key)
            check_value(field, item, multiline)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            check_value(field, item, multiline)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value) if f.name not in NOT_TEXT)
        for name in names:
            check_value(name, getattr(value, name), name in MULTI_LINE)


def check_arguments(fn: Callable[..., Any], action: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Apply the text rule to a service call's arguments (``fn`` is the undecorated ``fn(tx, ...)``)."""
    names = _parameters(fn)
    extra = MULTI_LINE_BY_ACTION.get(action)
    for name, value in zip(names, args):
        if name not in NOT_TEXT and type(value) not in _SKIP:
            check_value(name, value, name in MULTI_LINE or (extra is not None and name in extra))
    for name, value in kwargs.items():
        if name not in NOT_TEXT and type(value) not in _SKIP:
            check_value(name, value, name in MULTI_LINE or (extra is not None and name in extra))
