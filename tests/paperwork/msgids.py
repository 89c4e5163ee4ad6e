"""Find every msgid the paperwork code can translate, by reading its source (no execution).

A msgid is the first argument of ``_("…")``, ``kit._("…")`` or ``N_("…")`` when it is a
string literal; the value tables in ``labels.py`` use ``N_`` so they are found too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import frontdesk.paperwork

PACKAGE_DIR = Path(frontdesk.paperwork.__file__).parent
NOT_TEMPLATES = {"make_font.py", "printing.py"}  # a maintainer's tool; what a refusing printer means (console domain)


def template_modules() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.glob("*.py") if p.name not in NOT_TEMPLATES)


def _is_translation_call(node: ast.Call) -> bool:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id in {"_", "N_"}
    if isinstance(func, ast.Attribute):
        return func.attr == "_"
    if isinstance(func, ast.Call):  # translator(lang)("…")
        return isinstance(func.func, ast.Name) and func.func.id == "translator"
    return False


def msgids_in(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_translation_call(node) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value, node.lineno


def all_msgids() -> dict[str, str]:
    """msgid → "file:line" of its first use (the shared value tables count as labels.py)."""
    from frontdesk.paperwork import labels

    found: dict[str, str] = {}
    for path in template_modules():
        for msgid, line in msgids_in(path):
            found.setdefault(msgid, f"{path.name}:{line}")
    for table in (labels.PAY_TYPES, labels.PAYMENT_METHODS, labels.OLD_PARTS, labels.DAMAGES, labels.PANELS):
        for msgid in table.values():
            found.setdefault(msgid, "labels.py (frontdesk.labels)")
    return found


def literal_strings() -> set[str]:
    """Every other string literal of the templates (symbols like ■ □ ¥ ▲ are printed as is)."""
    out: set[str] = set()
    for path in template_modules():
        tree = ast.parse(path.read_text("utf-8"))
        docstrings = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                body = node.body
                if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                    docstrings.add(id(body[0].value))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                out.add(node.value)
    return out
