"""``python benchmarks/run.py [--quick]``: every performance target of issue 8, each against its baseline.

Each comparison runs its two sides alternately in this one run and reports medians, so the
ratios hold on a busy machine even when the absolute figures wander. One line per metric:

    <metric>  value=<v><unit>  baseline=<b><unit>  ratio=<r>  target=<t>  PASS|FAIL

(``REPORT`` instead of PASS/FAIL for figures with no target yet), and the same as JSON in
benchmarks/results/latest.json. See benchmarks/README.md for what each metric measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness
import workload

RESULTS = HERE / "results" / "latest.json"
DEMO_DAYS = 1800
TEN_YEAR_DAYS = 3650
DEMO_LIMIT_S = 300.0


@dataclass
class Metric:
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = "—"
    passed: bool | None = None  # None: reported only
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.value / self.baseline

    def line(self) -> str:
        def num(v: float | None) -> str:
            if v is None:
                return "—"
            return f"{v:.0f}" if abs(v) >= 100 else (f"{v:.1f}" if abs(v) >= 10 else f"{v:.2f}")

        baseline = f"{num(self.baseline)}{self.unit}" if self.baseline is not None else "—"
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else "—"
        verdict = "REPORT" if self.passed is None else ("PASS" if self.passed else "FAIL")
        return (f"{self.name}  value={num(self.value)}{self.unit}  baseline={baseline}  ratio={ratio}  "
                f"target={self.target}  {verdict}")


def emit(metrics: list[Metric], metric: Metric) -> None:
    metrics.append(metric)
    print(metric.line() + (f"    # {metric.note}" if metric.note and os.environ.get("BENCH_NOTES") else ""),
          flush=True)


# Startup and memory ---------------------------------------------------------------------------


def compile_bytecode() -> None:
    """What ``pip install`` does for a wheel: the package's modules compiled to ``.pyc`` ahead.

    An editable install under ``PYTHONDONTWRITEBYTECODE`` (as on the CI machine) would
    otherwise compile every module of the console at every start, which no installed
    terminal does; Textual's own modules in site-packages are compiled already.
    """
    import compileall

    import frontdesk

    compileall.compile_dir(str(Path(frontdesk.__file__).parent), quiet=1)


def startup(db: Path, reps: int) -> list[Metric]:
    compile_bytecode()
    py = harness.python()
    bare = [py, str(HERE / "bare_app.py")]
    login = [py, "-m", "frontdesk", "--db", workload.url(db)]
    desk = [py, str(HERE / "desk_launcher.py"), workload.url(db), "advisor"]
    env = dict(os.environ, FRONTDESK_CONFIG=str(workload.CACHE / "none.toml"))
    for argv, screen in ((bare, None), (login, "login"), (desk, "desk")):  # warm the OS file cache once
        harness.launch_in_terminal(argv, dict(env, FRONTDESK_EXIT_WHEN=screen or ""))
    runs: dict[str, list[harness.Launch]] = {"bare": [], "login": [], "desk": []}
    for i in range(reps):
        order = [("bare", bare, ""), ("login", login, "login"), ("desk", desk, "desk")]
        if i % 2:
            order.reverse()
        for key, argv, screen in order:
            runs[key].append(harness.launch_in_terminal(argv, dict(env, FRONTDESK_EXIT_WHEN=screen)))
    ms = {k: [r.ms_to_ready for r in v] for k, v in runs.items()}
    mb = {k: [r.max_rss_kb / 1024 for r in v] for k, v in runs.items()}
    bare_ms, bare_mb = harness.median(ms["bare"]), harness.median(mb["bare"])
    login_ms, desk_ms, desk_mb = harness.median(ms["login"]), harness.median(ms["desk"]), harness.median(mb["desk"])
    return [
        Metric("startup_login_first_paint", login_ms, "ms", bare_ms, "ratio<=1.3", login_ms / bare_ms <= 1.3,
               "process start to the login screen painted vs bare Textual app", {"app": ms["login"], "bare": ms["bare"]}),
        Metric("startup_desk_home_data", desk_ms, "ms", bare_ms, "ratio<=2.0", desk_ms / bare_ms <= 2.0,
               "process start to the desk home painted with today's data", {"app": ms["desk"], "bare": ms["bare"]}),
        Metric("peak_memory_desk_home", desk_mb, "MB", bare_mb, "ratio<=1.8", desk_mb / bare_mb <= 1.8,
               "ru_maxrss of the child process", {"app": mb["desk"], "bare": mb["bare"]}),
    ]


# Search --------------------------------------------------------------------------------------


def search_sqlite(db: Path, rounds: int) -> Metric:
    import search_bench

    from frontdesk.services.search import search

    queries = search_bench.sample_queries(str(db))
    services = workload.open_services(db)
    raw = search_bench.raw_search(str(db))
    for _kind, text in queries:  # warm: page cache, statement caches
        search(services, text)
        raw(text)
    app_ms: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    raw_ms: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    for r in range(rounds):
        for i, (_kind, text) in enumerate(queries):
            app = harness.timed(lambda text=text: search(services, text)) if (i + r) % 2 == 0 else None
            raw_ms[i].append(harness.timed(lambda text=text: raw(text)))
            app_ms[i].append(app if app is not None else harness.timed(lambda text=text: search(services, text)))
    services.db.dispose()
    per_app = [harness.median(v) for v in app_ms.values()]
    per_raw = [harness.median(v) for v in raw_ms.values()]
    value, base = harness.p95(per_app), harness.p95(per_raw)
    return Metric("search_p95_200_queries", value, "ms", base, "p95<=15ms,ratio<=3",
                  value <= 15 and value / base <= 3, "service vs raw sqlite3, same file, same lookups",
                  {"app": per_app, "raw": per_raw})


def search_campaign_flag(db: Path, rounds: int) -> Metric:
    """What the desk search's campaign mark costs: the same 200 lookups with and without it, alternately."""
    import search_bench

    from frontdesk.services import search as search_module

    store = workload.CACHE / f"campaigns_{db.stem}.db"
    known = search_bench.campaign_store(str(db), str(store))
    queries = search_bench.sample_queries(str(store))
    services = workload.open_services(store)
    flagged = search_module.open_vins

    def plain(text: str) -> object:
        search_module.open_vins = lambda cur, vins, **kw: set()  # type: ignore[assignment]
        try:
            return search_module.search(services, text)
        finally:
            search_module.open_vins = flagged

    def marked(text: str) -> object:
        return search_module.search(services, text)

    hits = 0
    for _kind, text in queries:  # warm, and count what the lists mark
        hits += sum(h.campaign for h in marked(text))  # type: ignore[attr-defined]
        plain(text)
    with_ms: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    without_ms: dict[int, list[float]] = {i: [] for i in range(len(queries))}
    for r in range(rounds):
        for i, (_kind, text) in enumerate(queries):
            xs, ys = harness.alternate(lambda text=text: harness.timed(lambda: marked(text)),
                                       lambda text=text: harness.timed(lambda: plain(text)), 3)
            with_ms[i] += xs
            without_ms[i] += ys
    services.db.dispose()
    per_with = [harness.median(v) for v in with_ms.values()]
    per_without = [harness.median(v) for v in without_ms.values()]
    value, base = harness.p95(per_with), harness.p95(per_without)
    return Metric("search_p95_campaign_flag_50k_vins", value, "ms", base, "added<=1ms", value - base <= 1.0,
                  f"services.search.search with the open-campaign mark vs without it, {search_bench.CAMPAIGN_VINS} "
                  f"campaign VINs ({known} of them the store's cars); {hits} hits marked",
                  {"with": per_with, "without": per_without})


def search_service_p95(db_url: str, queries: list[tuple[str, str]], rounds: int = 2) -> float:
    from frontdesk.cli import open_services
    from frontdesk.config import load_settings
    from frontdesk.services.search import search

    services = open_services(load_settings(workload.CACHE / "none.toml", database_url=db_url))
    for _kind, text in queries:
        search(services, text)
    per = [harness.median([harness.timed(lambda text=text: search(services, text)) for _ in range(rounds)])
           for _kind, text in queries]
    services.db.dispose()
    return harness.p95(per)


def catalog_search(db: Path, rounds: int) -> Metric:
    """The estimate's job and part pickers, keystroke by keystroke, ranked by the store's use (issue 19)."""
    import catalog_bench
    from sqlalchemy import select

    from frontdesk.model import User
    from frontdesk.services.auth import actor_for

    services = workload.open_services(db)
    with services.db.reader() as s:
        actor = actor_for(s.scalar(select(User).where(User.username == "advisor")))
    keys = catalog_bench.keystrokes(str(db))
    app, cold_ms = catalog_bench.service_search(services, actor)
    raw = catalog_bench.raw_catalog(str(db), actor.store_id)
    for kind, text in keys:  # warm: page cache, statement caches
        app(kind, text)
        raw(kind, text)
    app_ms: dict[int, list[float]] = {i: [] for i in range(len(keys))}
    raw_ms: dict[int, list[float]] = {i: [] for i in range(len(keys))}
    for r in range(rounds):
        for i, (kind, text) in enumerate(keys):
            first = harness.timed(lambda kind=kind, text=text: app(kind, text)) if (i + r) % 2 == 0 else None
            raw_ms[i].append(harness.timed(lambda kind=kind, text=text: raw(kind, text)))
            app_ms[i].append(first if first is not None else harness.timed(lambda kind=kind, text=text: app(kind, text)))
    services.db.dispose()
    per_app = [harness.median(v) for v in app_ms.values()]
    per_raw = [harness.median(v) for v in raw_ms.values()]
    value, base = harness.p95(per_app), harness.p95(per_raw)
    return Metric("catalog_search_ranked_p95_keystroke", value, "ms", base, "p95<=16ms", value <= 16,
                  f"desk.find_labor_ops/find_parts ranked by use vs the unranked query in sqlite3, {len(keys)} "
                  f"keystrokes; the store's use counted once per process: {cold_ms:.0f} ms",
                  {"app": per_app, "raw": per_raw})


# Board, estimate, PDF ------------------------------------------------------------------------


def board(work: workload.WorkStore, reps: int) -> list[Metric]:
    from frontdesk.services.board import change_seq, snapshot, store_id_for

    services = workload.open_services(work.path)
    store = store_id_for(services)
    for _ in range(20):
        change_seq(services, store)
    snap = snapshot(services, store)
    assert len(snap.rows) >= workload.BOARD_CARS, f"the working store has {len(snap.rows)} cars on the board"
    idle = [harness.timed(lambda: change_seq(services, store)) for _ in range(reps * 20)]
    full = [harness.timed(lambda: snapshot(services, store)) for _ in range(reps * 2)]
    services.db.dispose()
    return [
        Metric("board_refresh_nothing_changed", harness.median(idle), "ms", None, "<=2ms", harness.median(idle) <= 2,
               "the idle tick: the store's change counter", {"app": idle}),
        Metric("board_full_refresh_120_cars", harness.median(full), "ms", None, "<=50ms", harness.median(full) <= 50,
               f"board snapshot of {len(snap.rows)} cars", {"app": full}),
    ]


def estimate_line(work: workload.WorkStore, reps: int) -> Metric:
    from sqlalchemy import select

    from frontdesk.model import User
    from frontdesk.screens.estimate.reading import change
    from frontdesk.services import desk, estimate
    from frontdesk.services.auth import actor_for

    services = workload.open_services(work.path)
    with services.db.reader() as s:
        actor = actor_for(s.scalar(select(User).where(User.username == "advisor")))
    op_id = desk.find_labor_ops(services, "")[0].id
    view = desk.order_view(services, work.estimate_order_id)
    assert len(view.lines) == workload.ESTIMATE_LINES, len(view.lines)
    times: list[float] = []
    for n in range(reps * 3 + 3):
        version = view.version
        start = time.perf_counter()
        job, loaded = change(services, actor, work.estimate_order_id, estimate.add_job, labor_op_id=op_id,
                             expected_version=version)
        ms = (time.perf_counter() - start) * 1000
        assert len(loaded.view.lines) == workload.ESTIMATE_LINES + 1
        if n >= 3:  # the first ones warm the caches
            times.append(ms)
        estimate.remove_line(services, actor, work.estimate_order_id, job_id=job.id,
                             expected_version=loaded.view.version)
        view = desk.order_view(services, work.estimate_order_id)
    services.db.dispose()
    value = harness.median(times)
    return Metric("estimate_add_line_retotal_40_lines", value, "ms", None, "<=16ms", value <= 16,
                  "the estimate screen's worker: add a job, read the order back with totals", {"app": times})


def pdf(work: workload.WorkStore, reps: int) -> Metric:
    import pdf_bench

    from frontdesk.services import documents

    services = workload.open_services(work.path)
    out = Path(tempfile.mkdtemp(prefix="fd-bench-pdf-"))
    lines = list(documents.build(services, "work-order", order_number=work.pdf_order_number).lines)
    assert len(lines) == workload.PDF_LINES, len(lines)

    def app() -> float:
        return harness.timed(lambda: documents.print_document(services, "work-order", work.pdf_order_number,
                                                              out_dir=out, printer=""))

    def bare() -> float:
        return harness.timed(lambda: pdf_bench.render_bare(lines, out / "bare.pdf"))

    app(), bare()  # warm: ReportLab imported, the font registered
    a, b = harness.alternate(app, bare, reps)
    shutil.rmtree(out, ignore_errors=True)
    services.db.dispose()
    value, base = harness.median(a), harness.median(b)
    return Metric("work_order_pdf_25_lines_warm", value, "ms", base, "<=150ms,ratio<=1.5",
                  value <= 150 and value / base <= 1.5, "print_document (read + render) vs bare ReportLab table",
                  {"app": a, "bare": b})


# Durability ------------------------------------------------------------------------------------


def durability(reps: int) -> Metric:
    """Check-in to payment with every service call its own commit: ``synchronous=FULL`` (the default) vs NORMAL.

    Two stores made alike (staff and catalog of the demo), one per setting, in the cache
    folder (on disk: a tmpfs would make every fsync free); the same car taken through the
    same 18 service calls on each, alternately.
    """
    from frontdesk.cli import open_services
    from frontdesk.config import load_settings
    from frontdesk.model.enums import PaymentMethod
    from frontdesk.services import checkin, delivery, estimate, settlement, workshop
    from frontdesk.services.demo import _Generator
    from frontdesk.services.setup import ensure_store, system_actor

    folder = Path(tempfile.mkdtemp(prefix="fd-bench-durability-", dir=workload.CACHE))
    today = dt.datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    sides = {}
    for mode in ("full", "normal"):
        settings = load_settings(workload.CACHE / "none.toml", database_url=workload.url(folder / f"{mode}.db"))
        gen = _Generator(open_services(replace(settings, sqlite_synchronous=mode)), 7, today)
        gen.plates, gen.vins = set(), set()  # type: ignore[attr-defined]
        admin = system_actor(ensure_store(gen.services))
        gen.staff(admin)
        sides[mode] = (gen, gen.catalog(admin))

    def car(mode: str) -> float:
        gen, cat = sides[mode]
        s, a = gen.services, gen.actors
        vehicle = gen.new_vehicle(a["advisor"])
        started = time.perf_counter()
        order = checkin.check_in(s, a["advisor"], checkin.CheckInInput(
            vehicle_id=vehicle.id, odometer_km=vehicle.odometer + 500, fuel_eighths=4, concerns="保养"))
        checkin.record_walkaround(s, a["advisor"], order.id, checkin.WalkaroundInput(
            marks=(), covers_fitted=True, spare_tyre=True, tool_kit=True, warning_triangle=True, signed_by="张伟"))
        job = estimate.add_job(s, a["advisor"], order.id, labor_op_id=cat.maintenance_ops[0])
        estimate.add_part(s, a["advisor"], order.id, part_id=cat.oil_filter, qty=1, job_id=job.id)
        estimate.add_part(s, a["advisor"], order.id, part_id=cat.engine_oil, qty=4, job_id=job.id)
        estimate.set_terms(s, a["advisor"], order.id, payment_method="wechat", old_parts="leave", wash=False,
                           promised_at=gen.now + dt.timedelta(hours=3))
        estimate.authorise(s, a["advisor"], order.id, "张伟")
        workshop.dispatch(s, a["supervisor"], order.id, {job.id: gen.tech_ids[0]})
        workshop.start_job(s, a["technician"], job.id)
        workshop.finish_job(s, a["technician"], job.id, unissued_reason="not_needed")  # parts not issued here
        workshop.self_check(s, a["technician"], job.id)
        workshop.leader_check(s, a["team_leader"], job.id)
        workshop.final_qc(s, a["qc"], job.id, passed=True)
        delivery.tick_internal(s, a["qc"], order.id, list(delivery.INTERNAL_ITEMS))
        delivery.tick_walkthrough(s, a["advisor"], order.id, list(delivery.WALKTHROUGH_ITEMS))
        delivery.deliver(s, a["advisor"], order.id)
        bill = settlement.prepare_settlement(s, a["advisor"], order.id, settlement.SettlementInput(
            next_service_date=(gen.now + dt.timedelta(days=180)).date(), next_service_km=vehicle.odometer + 8000))
        settlement.take_payment(s, a["cashier"], order.id, PaymentMethod.WECHAT, bill.customer_amount)
        return (time.perf_counter() - started) * 1000

    try:
        car("full"), car("normal")  # warm: statement caches, the first pages
        full, normal = harness.alternate(lambda: car("full"), lambda: car("normal"), reps * 2)
    finally:
        for gen, _cat in sides.values():
            gen.services.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    value, base = harness.median(full), harness.median(normal)
    return Metric("durability_full_vs_normal_checkin_to_payment", value, "ms", base, "ratio<=3", value / base <= 3,
                  "one car from check-in to payment (18 commits) with synchronous=FULL vs NORMAL, same run",
                  {"full": full, "normal": normal})


def import_memory() -> list[Metric]:
    """Peak memory of an import (issue 15, item 7): the two XLSX bombs, a 200 000-row price list and
    its price update, a text table at its limits — each in its own process (import_memory.py)."""
    import import_memory as im

    return [Metric(f"peak_memory_{m.name}", m.peak_mb, "MB", None, f"<={im.LIMIT_MB:.0f}MB", m.peak_mb <= im.LIMIT_MB,
                   f"frontdesk import parts, ru_maxrss; {m.file_mb:.1f} MB file, {m.seconds:.1f} s: {m.output}")
            for m in im.run_all(workload.CACHE / "imports")]


# Demo generation and the larger stores -----------------------------------------------------------


def demo_metric(quick: bool, db_default: Path, explicit_db: bool) -> tuple[Metric, Path]:
    """Full: time ``frontdesk demo --days 1800`` (it becomes the cached store unless --db was given)."""
    if quick:  # two small stores: the fixed cost (migrations, catalogs, staff) does not scale with the orders
        small, large = workload.CACHE / "demo_30.db", workload.CACHE / "demo_90.db"
        t30, t90 = workload.generate_demo(small, 30), workload.generate_demo(large, 90)
        o30, o90 = _orders(small), _orders(large)
        predicted = t90 + (t90 - t30) / max(o90 - o30, 1) * (90_000 - o90)
        return Metric("demo_generation_90k_orders", predicted, "s", None, "<=300s", predicted <= DEMO_LIMIT_S,
                      f"--quick: {o30} orders in {t30:.1f}s, {o90} in {t90:.1f}s, extrapolated to 90 000"), db_default
    fresh = db_default.with_suffix(".new.db")
    seconds = workload.generate_demo(fresh, DEMO_DAYS)
    orders = _orders(fresh)
    if explicit_db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{fresh}{suffix}").unlink(missing_ok=True)
    else:
        for suffix in ("-wal", "-shm"):
            Path(f"{db_default}{suffix}").unlink(missing_ok=True)
        fresh.replace(db_default)
    per_90k = seconds * 90_000 / max(orders, 1)  # --days 1800 makes ~81 000 orders: judged per 90 000
    return Metric("demo_generation_90k_orders", per_90k, "s", None, "<=300s", per_90k <= DEMO_LIMIT_S,
                  f"frontdesk demo --days {DEMO_DAYS}: {orders} orders in {seconds:.0f}s, scaled to 90 000"), db_default


def _orders(path: Path) -> int:
    import sqlite3

    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM repair_order").fetchone()[0]
    finally:
        con.close()


def postgres(url: str, days: int) -> Metric:
    """The same queries on PostgreSQL: a demo store in ``<db>_bench`` next to the given database."""
    import subprocess

    bench_url = workload.bench_postgres(url)
    note = "reused"
    if workload.postgres_orders(bench_url):  # a store built by an older version: bring its schema up to date
        subprocess.run([sys.executable, "-m", "frontdesk", "db", "upgrade", "--db", bench_url], check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, FRONTDESK_CONFIG=str(workload.CACHE / "none.toml")))
    if workload.postgres_orders(bench_url) == 0:
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "frontdesk", "demo", "--db", bench_url, "--days", str(days), "--quiet"],
                       check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, FRONTDESK_CONFIG=str(workload.CACHE / "none.toml")))
        note = f"built in {time.monotonic() - started:.0f}s"
    import search_bench

    orders = workload.postgres_orders(bench_url)
    value = search_service_p95(bench_url, search_bench.sample_queries_pg(bench_url))
    return Metric("search_p95_postgresql_loopback", value, "ms", None, "—", None,
                  f"the same 200 queries through the service on PostgreSQL, {orders} orders ({note})")


def ten_years(reps: int) -> list[Metric]:
    import search_bench

    path = workload.CACHE / f"demo_{TEN_YEAR_DAYS}.db"
    note = "cached"
    if not path.exists() or _orders(path) < 1000:
        seconds = workload.generate_demo(path, TEN_YEAR_DAYS)
        note = f"built in {seconds:.0f}s"
    orders = _orders(path)
    size_mb = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()) / 2**20
    queries = search_bench.sample_queries(str(path))
    p95 = search_service_p95(workload.url(path), queries)
    env = dict(os.environ, FRONTDESK_CONFIG=str(workload.CACHE / "none.toml"), FRONTDESK_EXIT_WHEN="desk")
    desk = [harness.python(), str(HERE / "desk_launcher.py"), workload.url(path), "advisor"]
    bare = [harness.python(), str(HERE / "bare_app.py")]
    a, b = harness.alternate(lambda: harness.launch_in_terminal(desk, env).ms_to_ready,
                             lambda: harness.launch_in_terminal(bare, env).ms_to_ready, reps)
    return [
        Metric("ten_year_db_file_size", size_mb, "MB", None, "—", None, f"{orders} orders ({note})"),
        Metric("ten_year_search_p95", p95, "ms", None, "—", None, f"{orders} orders"),
        Metric("ten_year_startup_desk_home", harness.median(a), "ms", harness.median(b), "—", None,
               f"{orders} orders, vs the bare app", {"app": a, "bare": b}),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions; demo generation extrapolated from 30 and 90 days; no 10-year store")
    parser.add_argument("--db", type=Path, help="the ~90 000-order demo store to read (default: built and cached "
                        "under benchmarks/.cache/)")
    parser.add_argument("--pg", metavar="URL", default=os.environ.get("FRONTDESK_TEST_DATABASE_URL"),
                        help="PostgreSQL server for the reported search figure (default FRONTDESK_TEST_DATABASE_URL); "
                        "the demo store goes into a sibling database <name>_bench, never into URL itself")
    parser.add_argument("--pg-days", type=int, default=365,
                        help="days of demo history in <name>_bench when it is first built (default 365)")
    parser.add_argument("--skip-demo", action="store_true", help="do not time the demo generation")
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write the results (default %(default)s)")
    args = parser.parse_args(argv)
    quick = args.quick
    reps = 5 if quick else 11
    workload.CACHE.mkdir(exist_ok=True)
    ignore = workload.CACHE / ".gitignore"  # the cache keeps itself out of git
    if not ignore.exists():
        ignore.write_text("*\n")
    metrics: list[Metric] = []
    started = time.monotonic()

    default_db = workload.CACHE / f"demo_{DEMO_DAYS}.db"
    db: Path = args.db or default_db
    demo = None
    if not args.skip_demo:  # full: the real 1800 days (becoming the cached store); quick: 90 days, scaled
        demo, built = demo_metric(quick, default_db, explicit_db=args.db is not None)
        if args.db is None and not quick:
            db = built
    if not db.exists():  # --quick without a cached store: it has to be built once
        print(f"building the demo store {db} (frontdesk demo --days {DEMO_DAYS}; minutes)...", flush=True)
        workload.generate_demo(db, DEMO_DAYS)

    work = workload.work_store()
    for metric in startup(db, reps):
        emit(metrics, metric)
    emit(metrics, search_sqlite(db, 2 if quick else 4))
    emit(metrics, search_campaign_flag(db, 2 if quick else 4))
    emit(metrics, catalog_search(db, 5 if quick else 9))
    for metric in board(work, reps):
        emit(metrics, metric)
    emit(metrics, estimate_line(work, reps))
    emit(metrics, pdf(work, reps))
    for metric in import_memory():
        emit(metrics, metric)
    emit(metrics, durability(reps))
    if demo is not None:
        emit(metrics, demo)
    else:
        print("demo_generation_90k_orders  skipped (--skip-demo)", flush=True)
    if args.pg:
        emit(metrics, postgres(args.pg, 90 if quick else args.pg_days))
    if not quick:
        for metric in ten_years(5):
            emit(metrics, metric)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "quick": quick,
        "db": str(db),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "seconds": round(time.monotonic() - started, 1),
        "metrics": [dict(asdict(m), ratio=m.ratio, line=m.line()) for m in metrics],
        "all_passed": all(m.passed is not False for m in metrics),
    }, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return 0 if all(m.passed is not False for m in metrics) else 1


if __name__ == "__main__":
    raise SystemExit(main())
