"""Crash safety, full form (issue 9 part 1): SIGKILL the front desk 200 times, check after each.

    python benchmarks/crash_harness.py                 # 200 kills, ~6 min on the 2-core machine
    python benchmarks/crash_harness.py --kills 50 --seed 7 --max-delay 2 --dir /tmp/crash

A worker (tests/crash_worker.py) checks cars in, builds estimates that reserve stock,
authorises, runs the workshop (issuing parts), delivers, settles, takes payment and
issues gate passes on one SQLite file, through the real services, logging (fsync'd)
every call that returned. The harness kills it with SIGKILL after a random delay, then
checks (tests/crash_checks.py): PRAGMA integrity_check, every order wholly there or
absent, stored totals equal to the sum of the lines, stock equal to its movements and
reservations equal to what the lines hold, and every acknowledged call in the audit
trail with nothing in the trail the data does not show. Then it restarts the worker on
the same file. The suite runs the same loop with 15 kills (tests/test_crash_safety.py).
Exit status 1 when any check failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.crash_checks import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=1.5, help="longest wait before a kill, seconds")
    parser.add_argument("--dir", type=Path, default=None, help="where the database and log go (default: a temp dir)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="frontdesk-crash-"))
    report = run(folder, args.kills, seed=args.seed, max_delay=args.max_delay,
                 log=None if args.quiet else (lambda line: print(line, flush=True)))
    print(report.summary())
    for failure in report.failures[:50]:
        print("FAIL", failure)
    print(f"database and log kept in {folder}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
