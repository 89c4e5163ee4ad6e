"""The PDF baseline: a bare ReportLab document with the work order's line table and its font.

Same page size, same bundled CJK TrueType font (embedded, subset), the same 25 lines in a
seven-column table of paragraphs with the same widths, nothing else: what ReportLab itself
costs for that table. The work order adds the letterhead, the info grid, totals, terms and
signature boxes on top, and reads the order from the database.
"""

from __future__ import annotations

from pathlib import Path

from frontdesk.paperwork.documents import DocLine


def render_bare(lines: list[DocLine], out: Path) -> Path:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    from frontdesk.paperwork.fonts import resolve_font

    font = resolve_font().name
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=11)
    right = ParagraphStyle("right", parent=cell, alignment=2)
    widths = [8 * mm, 27 * mm, 0.0, 16 * mm, 22 * mm, 24 * mm, 22 * mm]
    widths[2] = A4[0] - 2 * 12 * mm - sum(widths)
    rows = [[Paragraph(h, cell) for h in ("#", "工时代码", "项目", "工时", "工时单价", "金额", "付费类型")]]
    for n, line in enumerate(lines, 1):
        rows.append([Paragraph(str(n), cell), Paragraph(line.code, cell), Paragraph(line.description, cell),
                     Paragraph(f"{line.qty_or_hours}", right), Paragraph(f"¥{line.unit_price:,.2f}", right),
                     Paragraph(f"¥{line.amount:,.2f}", right), Paragraph(line.pay_type, cell)])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    SimpleDocTemplate(str(out), pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm).build([table])
    return out
