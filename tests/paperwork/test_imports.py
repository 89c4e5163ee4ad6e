"""``import frontdesk.paperwork`` must stay cheap: ReportLab loads only when something is printed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("reportlab", "PIL", "fontTools", "sqlalchemy", "frontdesk.model", "frontdesk.services",
         "frontdesk.paperwork.work_order")


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60, check=False)


def test_import_does_not_load_reportlab() -> None:
    done = run(f"""
        import sys
        import frontdesk.paperwork
        from frontdesk.paperwork import WorkOrderDoc, render_work_order, print_file, PrintError
        loaded = sorted(m for m in sys.modules if m.split('.')[0] in {{'reportlab', 'PIL', 'fontTools', 'sqlalchemy'}}
                        or m.startswith({HEAVY!r}))
        print(loaded)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_refusing_a_gate_pass_does_not_load_reportlab() -> None:
    done = run("""
        import sys
        from datetime import datetime
        from frontdesk.paperwork import DocumentRefused, GatePassDoc, StoreInfo, render_gate_pass
        store = StoreInfo(name="店", address="路", phone="1", tax_id="2")
        doc = GatePassDoc(store=store, order_no="RO1", plate="粤A12345", model="M",
                          issued_at=datetime(2026, 1, 1), cashier="刘", paid=False)
        try:
            render_gate_pass(doc, "/nonexistent")
        except DocumentRefused as exc:
            print("refused:", exc)
        print(any(m.startswith("reportlab") for m in sys.modules))
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["refused: 工单 RO1 既未结清也未获挂账批准，不能开具出门证。", "False"]


def test_rendering_loads_reportlab() -> None:
    """The other half: the renderers do work (so the lazy import is not an empty promise)."""
    done = run(f"""
        import sys, tempfile
        sys.path.insert(0, {str(REPO_ROOT)!r})
        from tests.paperwork import factories
        from frontdesk.paperwork import render_gate_pass
        with tempfile.TemporaryDirectory() as folder:
            print(render_gate_pass(factories.gate_pass(), folder).name)
        print("reportlab" in sys.modules)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["RO2026112600012-gate-pass.pdf", "True"]
