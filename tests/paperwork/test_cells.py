"""Cheap cells must print exactly like the flowables they replace.

A one-line cell becomes the table's own text (see ``kit.as_cell_text``), paragraphs lay
their lines out once per width (``kit.Para``): both are speed-ups only, so the page has to
come out pixel for pixel the same as with the plain ReportLab flowables.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from frontdesk.paperwork.blocks import choices, grid_style, styled
from frontdesk.paperwork.kit import OneLine, Para, make_kit

from .pdfcheck import have, rasterise

needs_poppler = pytest.mark.skipif(not have("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")

WIDTHS = [30 * mm, 40 * mm, 30 * mm]
TEXTS = (("工时代码", "cell"), ("¥1,234.50", "cell_right"), ("自费", "cell_center"))


def _rows(kit, valign_rows: int = 3) -> list[list[object]]:  # type: ignore[no-untyped-def]
    head = [kit.p("#", "head"), kit.p("Amount", "head_right"), kit.p("付费类型", "head")]
    return [head] + [[kit.p(text, style) for text, style in TEXTS] for _ in range(valign_rows)]


def _commands() -> list[tuple[object, ...]]:
    # tall rows so that TOP, MIDDLE and BOTTOM put the text in visibly different places
    return [*grid_style(), ("VALIGN", (0, 1), (-1, 1), "TOP"), ("VALIGN", (0, 2), (-1, 2), "MIDDLE"),
            ("VALIGN", (0, 3), (-1, 3), "BOTTOM"), ("ALIGN", (0, 0), (-1, -1), "RIGHT")]


def _render(table: Table, path: Path) -> Path:
    SimpleDocTemplate(str(path), pagesize=A5, initialFontName=table._cellStyles[0][0].fontname).build([table])
    return path


def test_a_line_that_fits_becomes_the_cells_text_with_the_paragraph_look() -> None:
    kit = make_kit("zh_CN")
    table = styled(kit, Table(_rows(kit), colWidths=WIDTHS), _commands())
    assert table._cellvalues[1] == ["工时代码", "¥1,234.50", "自费"]
    right = table._cellStyles[1][1]
    style = kit.styles.cell_right
    assert (right.fontname, right.fontsize, right.leading) == (style.fontName, style.fontSize, style.leading)
    assert right.alignment == "RIGHT" and table._cellStyles[1][2].alignment == "CENTER"
    assert table._cellStyles[0][0].color == kit.styles.head.textColor


def test_a_line_too_long_for_its_column_stays_a_paragraph_and_wraps() -> None:
    kit = make_kit("zh_CN")
    long = "更换前螺旋弹簧（单边）并检查减震器顶胶与轴承的磨损情况"
    table = styled(kit, Table([[kit.p(long, "cell"), kit.p("短", "cell")]], colWidths=[30 * mm, 30 * mm]),
                   grid_style(header_rows=0))
    assert isinstance(table._cellvalues[0][0], OneLine) and table._cellvalues[0][1] == "短"
    _, height = table.wrap(60 * mm, 500)
    assert height > 2 * kit.styles.cell.leading  # two lines or more, not one clipped line


@needs_poppler
def test_text_cells_print_where_the_flowables_did(tmp_path: Path) -> None:
    kit = make_kit("zh_CN")
    fast = styled(kit, Table(_rows(kit), colWidths=WIDTHS, rowHeights=[None, 12 * mm, 12 * mm, 12 * mm]),
                  _commands())
    assert all(isinstance(v, str) for row in fast._cellvalues for v in row)
    plain = Table(_rows(kit), colWidths=WIDTHS, rowHeights=[None, 12 * mm, 12 * mm, 12 * mm])
    plain.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), kit.font.name), *_commands()]))
    assert all(isinstance(v, OneLine) for row in plain._cellvalues for v in row)
    images = [rasterise(_render(t, tmp_path / f"{name}.pdf"), tmp_path / name, dpi=150, gray=True).read_bytes()
              for name, t in (("fast", fast), ("plain", plain))]
    assert images[0] == images[1]


@needs_poppler
def test_tick_boxes_keep_their_gaps(tmp_path: Path) -> None:
    """No-break spaces between the choices: a line of them prints as the paragraph did."""
    kit = make_kit("zh_CN")
    options = [("现金", False), ("微信支付", True), ("转账", False)]
    cell = choices(kit, options, "备注 A")
    assert isinstance(cell, OneLine) and "\u00a0" * 4 in cell.text
    markup = "&nbsp;&nbsp;&nbsp;&nbsp;".join(f"{'■' if on else '□'} {t}" for t, on in options)
    markup += "&nbsp;&nbsp;&nbsp;&nbsp;备注 A"
    tables = []
    for value in (cell, Paragraph(markup, kit.styles.value)):
        tables.append(styled(kit, Table([[value]], colWidths=[120 * mm]), grid_style(header_rows=0)))
    assert isinstance(tables[0]._cellvalues[0][0], str)
    images = [rasterise(_render(t, tmp_path / f"t{i}.pdf"), tmp_path / f"t{i}", dpi=150, gray=True).read_bytes()
              for i, t in enumerate(tables)]
    assert images[0] == images[1]


def test_a_paragraph_is_laid_out_again_for_another_width() -> None:
    kit = make_kit("zh_CN")
    text = "维修过程中如发现本委托书以外需要维修的项目，本店将先向客户说明原因、费用及需增加的时间。" * 2
    para = Para(text, kit.styles.body)
    reference = Paragraph(text, kit.styles.body)
    for width in (400, 120, 400, 120):
        assert para.wrap(width, 1000) == reference.wrap(width, 1000)
        assert len(para.blPara.lines) == len(reference.blPara.lines)
    assert para.wrap(0, 1000) == (0, 0x7FFFFFFF)  # "cannot fit" is not remembered as a layout
    assert para.wrap(120, 1000) == reference.wrap(120, 1000)
