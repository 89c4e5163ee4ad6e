"""Timing rules shared by every metric: A/B alternation, medians, p95, fresh processes in a pty.

The machine is shared and noisy, so absolute figures wander; a ratio is only worth
something when both sides ran under the same load. Every comparison therefore runs its
sides alternately (A, B, A, B, ...) and reports medians.
"""

from __future__ import annotations

import fcntl
import os
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

TERMINAL_SIZE = (120, 40)  # columns, rows: a desk terminal; the wide desk-home layout


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(0.95 * len(ordered)) - 1))]


def alternate(a: Callable[[], float], b: Callable[[], float], reps: int) -> tuple[list[float], list[float]]:
    """Run ``a`` and ``b`` in turn ``reps`` times each (starting side swaps every round)."""
    xs: list[float] = []
    ys: list[float] = []
    for i in range(reps):
        if i % 2 == 0:
            xs.append(a())
            ys.append(b())
        else:
            ys.append(b())
            xs.append(a())
    return xs, ys


def timed(fn: Callable[[], object]) -> float:
    """Milliseconds one call of ``fn`` takes."""
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


@dataclass(frozen=True)
class Launch:
    ms_to_ready: float  # process start to the screen painted (the stamp)
    max_rss_kb: int  # the child's peak resident set
    exit_code: int


def launch_in_terminal(argv: Sequence[str], env: dict[str, str] | None = None, *,
                       size: tuple[int, int] = TERMINAL_SIZE, timeout: float = 120.0) -> Launch:
    """Start ``argv`` in a fresh process on a pseudo-terminal of ``size`` and wait for it.

    The child writes the wall-clock moment its screen was painted to ``FRONTDESK_EXIT_STAMP``
    (``frontdesk.bench_hook``; the bare app does the same) and exits; the time counted is
    from just before the process was started to that moment, so interpreter start, imports,
    database connection, the first paint and its terminal output are all in it. Peak memory
    is the child's ``ru_maxrss``.
    """
    master, slave = os.openpty()
    cols, rows = size
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    fd, stamp_path = tempfile.mkstemp(prefix="fd-bench-", suffix=".stamp")
    os.close(fd)
    os.unlink(stamp_path)
    child_env = dict(os.environ)
    child_env.update(env or {})
    child_env.update({"FRONTDESK_EXIT_STAMP": stamp_path, "TERM": "xterm-256color", "COLUMNS": str(cols),
                      "LINES": str(rows)})
    started = time.time()
    proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=child_env,
                            start_new_session=True, close_fds=True)
    os.close(slave)
    output = bytearray()
    deadline = time.monotonic() + timeout
    status = None
    rusage = None
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    chunk = b""
                if chunk:
                    output += chunk[-4096:]
                    output = output[-8192:]
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                proc.kill()
                raise TimeoutError(f"{argv} did not reach its screen within {timeout}s")
    finally:
        os.close(master)
    try:
        stamp = float(Path(stamp_path).read_text().strip())
        Path(stamp_path).unlink()
    except (OSError, ValueError):
        tail = bytes(output[-1500:]).decode("utf-8", "replace")
        raise RuntimeError(f"{argv[-2:]} exited ({proc.returncode}) without painting; last output:\n{tail}") from None
    assert rusage is not None
    return Launch((stamp - started) * 1000, rusage.ru_maxrss, proc.returncode)


def python() -> str:
    return sys.executable
