"""Many terminals at once, full form (issue 9, part 2): 6 processes x 500 random operations.

```
python benchmarks/terminals.py                         # SQLite, and PostgreSQL when FRONTDESK_TEST_DATABASE_URL is set
python benchmarks/terminals.py --workers 8 --ops 1000  # heavier
python benchmarks/terminals.py --backend sqlite        # one backend only
python benchmarks/terminals.py --pg URL --json out.json
```

Each backend gets a fresh database: a temporary SQLite file (WAL), and for PostgreSQL the
sibling database ``<name>_terminals`` of the given URL (created on first use, emptied at every
run; the test database itself is never touched). The worker processes
(tests/terminals_worker.py) share two estimates, two workshop jobs, a workshop order and a
bill; each reads what it shows, thinks for up to ``--think-ms``, and saves one change with the
version it read. Afterwards tests/terminals_scenario.py checks the database against the
union of their logs: every acknowledged change is in the final state and has its audit
event, no two acknowledged writes were based on one version, every collision reached its
terminal as ``ConflictError`` (nothing refused, nothing unhandled such as "database is
locked"), and reserved stock equals what the lines hold.

One line per backend: operations, acknowledged, conflicts, refused, errors, seconds, ops/s;
then any problem found. Exit status 1 when there is one. The suite runs the short form
(tests/test_many_terminals.py, 4 x 100).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.terminals_scenario import RunResult, fresh_postgres, run_terminals


def _report(result: RunResult) -> dict[str, object]:
    by_op = Counter((e["op"], e["outcome"]) for e in result.entries)
    ops = sorted({op for op, _ in by_op})
    return {
        "backend": result.backend, "workers": result.workers, "ops_per_worker": result.ops_per_worker,
        "operations": result.ops, "acknowledged": result.count("ok"), "conflicts": result.count("conflict"),
        "refused": result.count("refused"), "errors": result.count("error"), "seconds": round(result.seconds, 2),
        "ops_per_second": round(result.throughput, 1),
        "by_operation": {op: {"ok": by_op[(op, "ok")], "conflict": by_op[(op, "conflict")]} for op in ops},
        "problems": result.problems,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Many terminals on the same orders: no lost update, conflicts told.")
    p.add_argument("--workers", type=int, default=6)
    p.add_argument("--ops", type=int, default=500, help="operations per worker")
    p.add_argument("--backend", choices=("both", "sqlite", "postgresql"), default="both")
    p.add_argument("--pg", default=os.environ.get("FRONTDESK_TEST_DATABASE_URL"), help="PostgreSQL server (a sibling database is used)")
    p.add_argument("--think-ms", type=float, default=2.0, help="longest pause between reading and saving")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, help="write the figures here")
    args = p.parse_args(argv)

    reports = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-terminals-") as tmp:
        targets: list[tuple[str, str]] = []
        if args.backend in ("both", "sqlite"):
            targets.append(("sqlite", f"sqlite:///{Path(tmp) / 'sqlite' / 'frontdesk.db'}"))
        if args.backend in ("both", "postgresql"):
            if args.pg:
                targets.append(("postgresql", fresh_postgres(args.pg)))
            else:
                print("postgresql: skipped (no --pg and no FRONTDESK_TEST_DATABASE_URL)")
        for backend, url in targets:
            result = run_terminals(url, backend, args.workers, args.ops, Path(tmp) / backend, seed=args.seed,
                                   think_ms=args.think_ms)
            print(result.summary(), flush=True)
            for problem in result.problems[:50]:
                print("  PROBLEM", problem)
            reports.append(_report(result))
    if args.json:
        args.json.write_text(json.dumps(reports, indent=2, ensure_ascii=False))
    return 1 if any(r["problems"] for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
