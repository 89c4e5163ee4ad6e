"""A gate pass is printed only for a paid or credit-approved order."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.paperwork import DocumentRefused, render_document, render_gate_pass

from . import factories
from .pdfcheck import missing_texts


def test_unpaid_order_is_refused_and_nothing_is_written(tmp_path: Path, lang: str) -> None:
    with pytest.raises(DocumentRefused) as caught:
        render_gate_pass(factories.gate_pass(paid=False), tmp_path, lang)
    assert isinstance(caught.value, ValueError)
    assert factories.ORDER_NO in str(caught.value)
    expected = "既未结清也未获挂账批准" if lang == "zh_CN" else "neither paid nor approved for credit"
    assert expected in str(caught.value)
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_generic_render_refuses_too(tmp_path: Path) -> None:
    with pytest.raises(DocumentRefused):
        render_document(factories.gate_pass(paid=False), tmp_path)


def test_credit_approved_order_gets_a_pass(tmp_path: Path) -> None:
    path = render_gate_pass(factories.gate_pass(paid=False, credit_approved_by="赵志强"), tmp_path)
    assert not missing_texts(path, ["出门证", "挂账（批准人：赵志强）", "粤A5M2K8"])


def test_gate_pass_is_a5(rendered) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    box = PdfReader(str(rendered("gate-pass", "zh_CN"))).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)  # A5 in points
