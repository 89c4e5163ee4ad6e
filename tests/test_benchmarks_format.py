"""The benchmark report's shape (no timings are asserted here: see benchmarks/README.md)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import harness
import run
import search_bench

LINE = re.compile(r"^\S+  value=\S+  baseline=\S+  ratio=\S+  target=\S+  (PASS|FAIL|REPORT)$")


def test_metric_lines_follow_the_issue_format() -> None:
    ratio = run.Metric("startup_login_first_paint", 240.0, "ms", 200.0, "ratio<=1.3", True)
    plain = run.Metric("board_refresh_nothing_changed", 0.153, "ms", None, "<=2ms", False)
    reported = run.Metric("ten_year_db_file_size", 2048.0, "MB")
    assert ratio.line() == "startup_login_first_paint  value=240ms  baseline=200ms  ratio=1.20  target=ratio<=1.3  PASS"
    assert plain.line() == "board_refresh_nothing_changed  value=0.15ms  baseline=—  ratio=—  target=<=2ms  FAIL"
    assert reported.line().endswith("target=—  REPORT")
    for metric in (ratio, plain, reported):
        assert LINE.match(metric.line()), metric.line()


def test_alternation_swaps_the_first_side_every_round() -> None:
    calls: list[str] = []
    xs, ys = harness.alternate(lambda: calls.append("a") or 1.0, lambda: calls.append("b") or 2.0, 3)
    assert calls == ["a", "b", "b", "a", "a", "b"]
    assert xs == [1.0] * 3 and ys == [2.0] * 3


def test_p95_is_an_observed_value_near_the_top() -> None:
    values = [float(v) for v in range(1, 201)]
    assert harness.p95(values) == 190.0
    assert harness.p95([5.0]) == 5.0


def test_raw_baseline_tries_the_same_kinds_as_the_search_box() -> None:
    def kinds(text: str) -> list[str]:
        return [re.search(r"(\w+) (?:MATCH|>=)", sql).group(1) for sql, _ in search_bench.raw_lookups(text)]  # type: ignore[union-attr]

    assert kinds("GZ01-20251108-0015") == ["number"]  # an order number, nothing else
    assert kinds("5617") == ["number", "plate", "vin", "phone"]  # order, plate, VIN and phone tails
    assert kinds("王芳") == ["plate", "name"]  # a plate may start with a province character; a name
