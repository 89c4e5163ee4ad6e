"""Everything a renderer needs for one language and font, bundled so helpers take one argument."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

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
            return Paragraph(escape(text).replace("\n", "<br/>"), chosen)
        return OneLine(text, chosen)

    def markup(self, xml: str, style: str = "cell") -> Paragraph:
        """A paragraph of ReportLab markup the caller built (and escaped) itself."""
        return Paragraph(xml, getattr(self.styles, style))


def make_kit(lang: str, font_path: str | None = None) -> Kit:
    font = resolve_font(font_path)
    return Kit(
        lang=lang,
        gettext=translator(lang),
        font=font,
        styles=styles_for(font.name, cjk=lang.startswith("zh")),
    )


class OneLine(Flowable):
    """A line of plain text placed exactly as a one-line ``Paragraph`` in ``style`` would be.

    When the text does not fit the width it is given, it becomes that paragraph (wrapped,
    and split across pages like any other).
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = " ".join(text.split()), style  # a paragraph collapses runs of spaces too
        self._para: Paragraph | None = None
        self._text_width = stringWidth(text, style.fontName, style.fontSize)

    def _paragraph(self) -> Paragraph:
        if self._para is None:
            self._para = Paragraph(escape(self.text), self.style)
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
