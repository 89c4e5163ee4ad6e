"""Everything a renderer needs for one language and font, bundled so helpers take one argument."""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus.tables import CellStyle

from frontdesk.i18n import translator

from .fonts import FontChoice, resolve_font
from .labels import Gettext
from .styles import Styles, styles_for


@dataclass(frozen=True)
class Kit:
    lang: str
    gettext: Gettext
    font: FontChoice
    styles: Styles

    def _(self, msgid: str, **values: object) -> str:
        """Translate, then fill ``{named}`` fields (msgids use str.format fields)."""
        text = self.gettext(msgid)
        return text.format(**values) if values else text

    @property
    def chinese(self) -> bool:
        return self.lang.startswith("zh")

    def field(self, label: str, value: object) -> str:
        """"Label: value" with the colon each language uses (full-width in Chinese)."""
        return f"{label}{'：' if self.chinese else ': '}{value}"

    def p(self, text: str, style: str = "cell") -> Flowable:
        """Plain text in a style (escaped: customer's words may contain < or &).

        One line of text is drawn as a string, a paragraph only when it has to wrap: most
        cells of a document are numbers, codes and labels, and parsing each as a paragraph
        was half of a work order's time.
        """
        chosen: ParagraphStyle = getattr(self.styles, style)
        if "\n" in text or not text:
            return Para(escape(text).replace("\n", "<br/>"), chosen)
        return OneLine(text, chosen)

    def markup(self, xml: str, style: str = "cell") -> Paragraph:
        """A paragraph of ReportLab markup the caller built (and escaped) itself."""
        return Para(xml, getattr(self.styles, style))


def make_kit(lang: str, font_path: str | None = None) -> Kit:
    font = resolve_font(font_path)
    return Kit(
        lang=lang,
        gettext=translator(lang),
        font=font,
        styles=styles_for(font.name, cjk=lang.startswith("zh")),
    )


class Para(Paragraph):
    """A paragraph that lays its lines out once per width.

    A table wraps every cell twice at the same width (to size the row, then to draw it),
    and a frame wraps a paragraph again after ``KeepTogether`` did; the lines cannot have
    changed in between, and breaking Chinese text into lines is a paragraph's dearest step.
    """

    _wrapped_at: float | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if avail_width != self._wrapped_at:
            size = super().wrap(avail_width, avail_height)
            self._wrapped_at = avail_width if size[1] != 0x7FFFFFFF else None
            return size
        return self.width, self.height


_SPACES = re.compile(r"[ \t\r\n\f\v]+")


class OneLine(Flowable):
    """A line of plain text placed exactly as a one-line ``Paragraph`` in ``style`` would be.

    When the text does not fit the width it is given, it becomes that paragraph (wrapped,
    and split across pages like any other).
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        # A paragraph collapses runs of spaces too, but not no-break spaces (U+00A0).
        self.text, self.style = _SPACES.sub(" ", text).strip(" "), style
        self._para: Paragraph | None = None
        self._text_width = stringWidth(text, style.fontName, style.fontSize)

    def _paragraph(self) -> Paragraph:
        if self._para is None:
            self._para = Para(escape(self.text), self.style)
        return self._para

    def _fits(self, avail_width: float) -> bool:
        s = self.style
        return self._text_width + s.leftIndent + s.rightIndent + s.firstLineIndent <= avail_width

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self._para is not None or not self._fits(avail_width):
            return self._paragraph().wrap(avail_width, avail_height)
        self.width, self.height = avail_width, self.style.leading
        return self.width, self.height

    def minWidth(self) -> float:  # noqa: N802 (ReportLab's name)
        return self._text_width + self.style.leftIndent + self.style.rightIndent

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return self._paragraph().split(avail_width, avail_height) if self._para is not None else []

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter

    def draw(self) -> None:
        if self._para is not None:
            self._para.drawOn(self.canv, 0, 0)
            return
        s, canv = self.style, self.canv
        y = self.height - s.fontSize  # where a paragraph puts its first baseline
        canv.setFillColor(s.textColor)
        canv.setFont(s.fontName, s.fontSize)
        if s.alignment == TA_RIGHT:
            canv.drawRightString(self.width - s.rightIndent, y, self.text)
        elif s.alignment == TA_CENTER:
            canv.drawCentredString(s.leftIndent + (self.width - s.leftIndent - s.rightIndent) / 2, y, self.text)
        else:
            canv.drawString(s.leftIndent + s.firstLineIndent, y, self.text)


_CELL_ALIGNMENT = {TA_LEFT: "LEFT", TA_JUSTIFY: "LEFT", TA_RIGHT: "RIGHT", TA_CENTER: "CENTER"}


def as_cell_text(line: OneLine, cell: CellStyle, column_width: float | None) -> OneLine | str:
    """``line`` as the plain text of its table cell, when it fits the column.

    A table draws its text cells itself (font, colour, alignment from the cell's style),
    without the save/move/restore and the two wrap passes each cell flowable costs: the
    line tables are most of a document's cells. The cell's style takes the paragraph
    style's font, size, leading, colour and alignment, which puts the baseline exactly where
    the flowable would have put it for any vertical alignment (its height is one leading).
    A line that does not fit, or an indented style, stays a flowable (and wraps).
    """
    s = line.style
    if (column_width is None or line._para is not None or s.leftIndent or s.rightIndent
            or s.firstLineIndent or s.spaceBefore or s.spaceAfter or s.alignment not in _CELL_ALIGNMENT):
        return line
    if line._text_width > column_width - cell.leftPadding - cell.rightPadding:
        return line
    cell.fontname, cell.fontsize, cell.leading = s.fontName, s.fontSize, s.leading
    cell.color, cell.alignment = s.textColor, _CELL_ALIGNMENT[s.alignment]
    return line.text
