"""Printed paperwork: work order, check-in sheet, settlement statement, gate pass.

Importing this package is cheap on purpose: the documents (plain dataclasses), the errors
and ``print_file`` load at once, while ReportLab and the renderers are imported only when
a document is rendered (the console's startup time must not pay for them). Renderers take
a document, an output folder and a language (``"zh_CN"`` default, or ``"en"``) and return
the path of the PDF they wrote, named after the order and the document, e.g.
``RO2026112600012-work-order.pdf`` (English copies end in ``-en``).

``font_path`` overrides the bundled CJK font with another TrueType file (the ``font_path``
setting); see ``fonts.py`` for the fallbacks.
"""

from __future__ import annotations

from pathlib import Path

from .documents import (
    DAMAGE_CODES,
    CheckinSheetDoc,
    CheckItem,
    DocLine,
    Document,
    GatePassDoc,
    PanelMark,
    PartyInfo,
    PaymentInfo,
    PayTypeTotal,
    Receivable,
    Recommendation,
    SettlementDoc,
    StoreInfo,
    Totals,
    VehicleInfo,
    WorkOrderDoc,
)
from .errors import DocumentRefused, PaperworkError, PrintError
from .printing import Media, print_file
from .release import check_release

__all__ = [
    "DAMAGE_CODES",
    "CheckItem",
    "CheckinSheetDoc",
    "DocLine",
    "Document",
    "DocumentRefused",
    "GatePassDoc",
    "Media",
    "PanelMark",
    "PaperworkError",
    "PartyInfo",
    "PayTypeTotal",
    "PaymentInfo",
    "PrintError",
    "Receivable",
    "Recommendation",
    "SettlementDoc",
    "StoreInfo",
    "Totals",
    "VehicleInfo",
    "WorkOrderDoc",
    "check_release",
    "media_for",
    "print_file",
    "render_checkin_sheet",
    "render_document",
    "render_gate_pass",
    "render_settlement",
    "render_work_order",
]


def render_work_order(doc: WorkOrderDoc, out_dir: str | Path, lang: str = "zh_CN",
                      *, font_path: str | None = None) -> Path:
    """任务委托书 → ``<order>-work-order.pdf`` (A4, as many pages as the lines need)."""
    from .work_order import render

    return render(doc, out_dir, lang, font_path=font_path)


def render_checkin_sheet(doc: CheckinSheetDoc, out_dir: str | Path, lang: str = "zh_CN",
                         *, font_path: str | None = None) -> Path:
    """接车登记表 → ``<order>-checkin-sheet.pdf`` (A4)."""
    from .checkin_sheet import render

    return render(doc, out_dir, lang, font_path=font_path)


def render_settlement(doc: SettlementDoc, out_dir: str | Path, lang: str = "zh_CN",
                      *, font_path: str | None = None) -> Path:
    """结算单 → ``<order>-settlement.pdf`` (A4)."""
    from .settlement import render

    return render(doc, out_dir, lang, font_path=font_path)


def render_gate_pass(doc: GatePassDoc, out_dir: str | Path, lang: str = "zh_CN",
                     *, font_path: str | None = None) -> Path:
    """出门证 → ``<order>-gate-pass.pdf`` (A5).

    Raises ``DocumentRefused`` (a ``ValueError``) before anything is imported or written
    when the order is neither paid nor approved for credit.
    """
    check_release(doc, lang)
    from .gate_pass import render

    return render(doc, out_dir, lang, font_path=font_path)


def render_document(doc: Document, out_dir: str | Path, lang: str = "zh_CN",
                    *, font_path: str | None = None) -> Path:
    """Render whichever document ``doc`` is (for a generic "print" command)."""
    if isinstance(doc, WorkOrderDoc):
        return render_work_order(doc, out_dir, lang, font_path=font_path)
    if isinstance(doc, CheckinSheetDoc):
        return render_checkin_sheet(doc, out_dir, lang, font_path=font_path)
    if isinstance(doc, SettlementDoc):
        return render_settlement(doc, out_dir, lang, font_path=font_path)
    if isinstance(doc, GatePassDoc):
        return render_gate_pass(doc, out_dir, lang, font_path=font_path)
    raise TypeError(f"not a printable document: {type(doc).__name__}")


def media_for(doc: Document) -> Media:
    """The paper each document is laid out for, for ``print_file(media=...)``."""
    return "A5" if isinstance(doc, GatePassDoc) else "A4"
