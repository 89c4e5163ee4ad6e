"""Fixtures for the paperwork tests; the document factories live in ``factories.py``.

Rendering is the slow part, so each standard document is rendered once per language per
session and shared by the tests that only read it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from frontdesk import paperwork

from . import factories

RENDERERS: dict[str, tuple[Callable[..., Path], Callable[[], object]]] = {
    "work-order": (paperwork.render_work_order, factories.work_order),
    "checkin-sheet": (paperwork.render_checkin_sheet, factories.checkin_sheet),
    "settlement": (paperwork.render_settlement, factories.settlement),
    "gate-pass": (paperwork.render_gate_pass, factories.gate_pass),
}
LANGS = ("zh_CN", "en")


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """``rendered("work-order", "en")`` → the PDF of the standard document, rendered once."""
    folder = tmp_path_factory.mktemp("paperwork")
    cache: dict[tuple[str, str], Path] = {}

    def get(kind: str, lang: str) -> Path:
        if (kind, lang) not in cache:
            render, make = RENDERERS[kind]
            cache[kind, lang] = render(make(), folder, lang)
        return cache[kind, lang]

    return get


@pytest.fixture(params=LANGS)
def lang(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=sorted(RENDERERS))
def kind(request: pytest.FixtureRequest) -> str:
    return request.param
