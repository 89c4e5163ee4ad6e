"""Everything a renderer needs for one language and font, bundled so helpers take one argument."""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.platypus import Paragraph

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

    def p(self, text: str, style: str = "cell") -> Paragraph:
        """A paragraph of plain text (escaped: customer's words may contain < or &)."""
        return Paragraph(escape(text).replace("\n", "<br/>"), getattr(self.styles, style))

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
