"""What Alembic comparisons leave out (imported by env.py and by the tests)."""

from __future__ import annotations

# Search objects made by hand in 0002 (FTS5 tables and their shadow tables, trigram
# indexes): the models cannot describe them, so comparisons leave them alone.
SEARCH_TABLES = ("vehicle_search", "customer_search", "order_search")


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    if type_ == "table" and name and name.startswith(SEARCH_TABLES):
        return False
    if type_ == "index" and name and name.endswith("_trgm"):
        return False
    return True
