"""What goes into an audit event's ``before``/``after``: the values JSON cannot hold, made text.

One rule for every writer (a service call, the demo's batch): decimals as text, dates and
times in ISO form, enums as their values, at the top level of the payload only; the hash
chain (services/audit_chain.py) seals ``json.dumps`` of the result.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def _converter(kind: type) -> Callable[[Any], Any]:
    """How every value of this exact type goes into a payload, found once per type."""
    if kind is Decimal:
        return str
    if kind is dt.datetime or kind is dt.date:
        return kind.isoformat
    if issubclass(kind, enum.Enum) and not issubclass(kind, (Decimal, dt.date)):
        if all(isinstance(member.value, str) for member in kind):  # every member's value is text
            return operator.attrgetter("value")
    return jsonable_value


def jsonable_value(value: Any) -> Any:
    """One payload value as JSON can hold it (what :func:`jsonable` does to each)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


_PLAIN: frozenset[type] = frozenset({str, int, bool, float, type(None), list, dict, tuple})  # kept as they are
_CONVERTERS: dict[type, Callable[[Any], Any]] = {kind: lambda v: v for kind in _PLAIN}


def jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The payload with decimals as text, times in ISO form and enums as their values (top level only)."""
    if data is None:
        return None
    if _PLAIN.issuperset(map(type, data.values())):  # nothing to convert
        return dict(data)
    out: dict[str, Any] = {}
    for key, value in data.items():
        convert = _CONVERTERS.get(type(value))
        if convert is None:
            convert = _CONVERTERS[type(value)] = _converter(type(value))
        out[key] = convert(value)
    return out
