"""Type sizes, colours and paragraph styles: one place so the four documents look alike."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib import textsplit as _textsplit
from reportlab.platypus import paragraph as _paragraph

# ReportLab's CJK line breaking knows the Japanese "cannot start a line" marks but not the
# full-width Chinese ones, so a line could begin with "，" or "；". Adding them makes such a
# mark hang at the end of the previous line, as Chinese typesetting (GB/T 15834) expects.
# Both modules hold their own copy (one-fragment paragraphs use textsplit's).
_CHINESE_CANNOT_START = "，；：！？、》〉」』）％"
for _module in (_textsplit, _paragraph):
    _module.ALL_CANNOT_START += "".join(  # type: ignore[attr-defined]
        c for c in _CHINESE_CANNOT_START if c not in _module.ALL_CANNOT_START)  # type: ignore[attr-defined]

INK = colors.HexColor("#1a1a1a")
ACCENT = colors.HexColor("#1f3b63")
MUTED = colors.HexColor("#5b6270")
RULE = colors.HexColor("#8a9099")
GRID = colors.HexColor("#b4b9c2")
HEAD_BG = colors.HexColor("#e3e8ef")
LABEL_BG = colors.HexColor("#f3f5f8")
GROUP_BG = colors.HexColor("#eef1f5")
WARN = colors.HexColor("#b3261e")
MARK_FILL = colors.HexColor("#f7d4d1")
PANEL_FILL = colors.HexColor("#ffffff")

MARGIN = 12 * mm
FOOTER_HEIGHT = 9 * mm
RUNNING_HEADER_HEIGHT = 11 * mm
GRID_WIDTH = 0.4
CELL_PAD = 2.6


@dataclass(frozen=True)
class Styles:
    """Paragraph styles set in one font; ``cjk`` wraps between any two Chinese characters."""

    body: ParagraphStyle
    small: ParagraphStyle
    clause: ParagraphStyle
    clause_item: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_center: ParagraphStyle
    head: ParagraphStyle
    head_right: ParagraphStyle
    section: ParagraphStyle
    store: ParagraphStyle
    title: ParagraphStyle
    order_no: ParagraphStyle
    total_label: ParagraphStyle
    total_value: ParagraphStyle
    big: ParagraphStyle
    warn: ParagraphStyle


@cache
def styles_for(font: str, cjk: bool) -> Styles:
    wrap = "CJK" if cjk else None

    def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading, textColor=kw.pop("textColor", INK),
            wordWrap=wrap, **kw,  # type: ignore[arg-type]
        )

    return Styles(
        body=style("body", 9, 12.5),
        small=style("small", 7.5, 9.5, textColor=MUTED),
        clause=style("clause", 8, 11, alignment=TA_JUSTIFY),
        clause_item=style("clause_item", 8, 11, alignment=TA_JUSTIFY, leftIndent=11,
                          bulletIndent=0, bulletFontName=font, bulletFontSize=8),
        label=style("label", 8, 10, textColor=MUTED),
        value=style("value", 9, 11.5),
        cell=style("cell", 8.5, 10.5),
        cell_right=style("cell_right", 8.5, 10.5, alignment=TA_RIGHT),
        cell_center=style("cell_center", 8.5, 10.5, alignment=TA_CENTER),
        head=style("head", 8, 10, textColor=ACCENT),
        head_right=style("head_right", 8, 10, textColor=ACCENT, alignment=TA_RIGHT),
        section=style("section", 10.5, 13, textColor=ACCENT, spaceBefore=7, spaceAfter=3),
        store=style("store", 13, 16, textColor=ACCENT),
        title=style("title", 18, 22, alignment=TA_RIGHT, textColor=ACCENT),
        order_no=style("order_no", 10, 13, alignment=TA_RIGHT),
        total_label=style("total_label", 10, 13, alignment=TA_RIGHT),
        total_value=style("total_value", 12, 15, alignment=TA_RIGHT, textColor=ACCENT),
        big=style("big", 30, 36, alignment=TA_CENTER, textColor=INK),
        warn=style("warn", 8.5, 11, textColor=WARN, alignment=TA_LEFT),
    )
