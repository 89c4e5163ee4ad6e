"""Dependencies point one way, and heavy imports wait until they are needed."""

from __future__ import annotations

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_services_never_import_textual():
    mods = _modules_after(
        "import frontdesk.services.checkin, frontdesk.services.estimate, frontdesk.services.workshop, "
        "frontdesk.services.delivery, frontdesk.services.settlement, frontdesk.services.aftercare, "
        "frontdesk.services.demo, frontdesk.services.auth, frontdesk.model"
    )
    assert not any(m == "textual" or m.startswith("textual.") for m in mods)


def test_the_app_does_not_load_reportlab_until_printing():
    mods = _modules_after("import frontdesk.app, frontdesk.cli")
    assert "textual.app" in mods
    assert not any(m.startswith("reportlab") for m in mods)


def test_cli_startup_imports_little():
    mods = _modules_after("import frontdesk.cli")
    assert not any(m.startswith(("sqlalchemy", "textual", "reportlab", "alembic")) for m in mods)
