"""Dependencies point one way, and heavy imports wait until they are needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_the_layer_contract_holds():
    """screens/widgets -> services -> model -> db/dbapi; paperwork and everything below the
    screens free of textual and rich; screens apart from each other (every jump through
    open_destination): import-linter's contracts in pyproject.toml."""
    root = Path(__file__).resolve().parent.parent
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(root / "pyproject.toml"), "--no-cache"],
                            capture_output=True, text=True, cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_the_app_does_not_load_reportlab_until_printing():
    mods = _modules_after("import frontdesk.app, frontdesk.cli")
    assert "textual.app" in mods
    assert not any(m.startswith("reportlab") for m in mods)


def test_cli_startup_imports_little():
    mods = _modules_after("import frontdesk.cli")
    assert not any(m.startswith(("sqlalchemy", "textual", "reportlab", "alembic")) for m in mods)
