"""The full UI fuzz: 1 000 random keys on every screen, for every role that may open it.

Run from the repository root (long: one app per screen and role, ~65 ms a key):

    python benchmarks/fuzz_keys.py            # 1 000 keys per screen and role
    python benchmarks/fuzz_keys.py 200        # quicker

It runs tests/ui/test_fuzz_keys.py (same fixtures and checks: the app never crashes; the
database passes ``PRAGMA integrity_check``, has no orphan orders, jobs, lines or payments,
and an audit trail that only grew) with every allowed role per screen, and prints one line
per screen and role: keys pressed and audit events written.
"""

from __future__ import annotations

import os
import sys

import pytest

if __name__ == "__main__":
    os.environ["FRONTDESK_FUZZ_KEYS"] = sys.argv[1] if len(sys.argv) > 1 else "1000"
    os.environ["FRONTDESK_FUZZ_EVERY_ROLE"] = "1"
    sys.exit(pytest.main(["-q", "-s", "-p", "no:cacheprovider", "tests/ui/test_fuzz_keys.py", "-k", "random_keys"]))
