"""The date ranges a manager reads figures over: today, this week, this month, the month before.

Pure date arithmetic, shared by the reports screen and the exports (the import screen's
"this month's orders"), so no screen needs another screen's helpers; and the one check of a
range the report and the order export both read over.
"""

from __future__ import annotations

import datetime as dt

from frontdesk.i18n import gettext as _

from .errors import ValidationError

MAX_DAYS = 3 * 366  # a longer range is a typo, not a question


def window(start: dt.date, end: dt.date, too_long: str) -> tuple[dt.datetime, dt.datetime]:
    """``start``..``end`` (both included) as the half-open span of datetimes a query filters on.

    ``too_long`` is what to tell the user when the range exceeds ``MAX_DAYS``.
    """
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        raise ValidationError("start", _("Enter the dates as YYYY-MM-DD."))
    if end < start:
        raise ValidationError("end", _("The end date is before the start date."))
    if (end - start).days >= MAX_DAYS:
        raise ValidationError("end", too_long)
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end + dt.timedelta(days=1), dt.time())


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def preset(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """"day" today, "week" Monday to Sunday, "month" this calendar month, "last_month" the one before."""
    if kind == "day":
        return today, today
    if kind == "week":
        monday = today - dt.timedelta(days=today.weekday())
        return monday, monday + dt.timedelta(days=6)
    if kind == "month":
        return month_of(today)
    if kind == "last_month":
        return month_of(today.replace(day=1) - dt.timedelta(days=1))
    raise ValueError(kind)


def shift(start: dt.date, end: dt.date, kind: str, step: int) -> tuple[dt.date, dt.date]:
    """The range before (step -1) or after (+1): a month moves by a calendar month, others by their length."""
    if kind == "month":
        anchor = start.replace(day=1) - dt.timedelta(days=1) if step < 0 else end + dt.timedelta(days=1)
        return month_of(anchor)
    days = dt.timedelta(days=(end - start).days + 1)
    return start + days * step, end + days * step


def parse_day(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, _("Enter the dates as YYYY-MM-DD.")) from None
