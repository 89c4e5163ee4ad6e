"""The desk search's campaign flag: which of a few VINs have an open recall or service campaign.

Apart from services/campaigns.py because the search box reads through the driver and never
loads the ORM (services/search.py): this is one plain query on
``ix_campaign_vehicle_vin_status``, a probe per VIN of the hits, joined to the few campaigns
for their dates. A campaign is open for a car while its record is open and today is within
the campaign's dates (none: always).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from frontdesk.dbapi import Cursor, in_list

from .runtime import Services

_BATCH = 500  # VINs per IN list
_OPEN_VINS = ("SELECT DISTINCT cv.vin FROM campaign_vehicle cv JOIN campaign c ON c.id = cv.campaign_id"
              " WHERE cv.vin IN {vins} AND cv.status = 'open'"
              " AND (c.starts IS NULL OR c.starts <= :today) AND (c.ends IS NULL OR c.ends >= :today)")


def open_vins(cur_or_services: Cursor | Services, vins: Iterable[str], *, on: dt.date | None = None) -> set[str]:
    """Which of ``vins`` have an open campaign (one query). Takes the search's cursor or the services."""
    wanted = sorted({v for v in vins if v})
    if not wanted:
        return set()
    if isinstance(cur_or_services, Cursor):
        return _open_vins(cur_or_services, wanted, on or dt.date.today())
    services = cur_or_services
    with services.db.plain_transaction() as cur:
        return _open_vins(cur, wanted, on or services.clock().date())


def _open_vins(cur: Cursor, vins: Sequence[str], on: dt.date) -> set[str]:
    found: set[str] = set()
    today: Any = on.isoformat() if cur.is_sqlite else on  # SQLite keeps dates as ISO text
    for start in range(0, len(vins), _BATCH):
        where, params = in_list("v", list(vins[start:start + _BATCH]))
        found.update(row[0] for row in cur.all(_OPEN_VINS.format(vins=where), {**params, "today": today}))
    return found


__all__ = ["open_vins"]
