"""Checking and normalising what the desk types in: free text, VINs, number plates, mobile numbers.

Clerks type on Chinese IMEs, paste from WeChat and read numbers off registration papers,
so input arrives with full-width characters, stray spaces and middle dots. Everything is
normalised to one canonical form before it is stored or compared, otherwise the same car
would be found under two spellings. Pure functions, standard library only, so the data
generator, the services and the screens can all share them.

Every rejection is a ``ValidationError`` whose message tells the clerk what to fix.

Free text (:func:`check_text`) is stored, printed on paper, exported to Excel and shown in
terminals, so characters that *do* something instead of showing something are refused:
NUL (PostgreSQL cannot store it), the other C0 and C1 controls (ESC/OSC sequences act on a
terminal, and openpyxl refuses to write them: one in a name broke every XLSX export), and
the Unicode bidi controls (they make text read differently from what is stored: "Trojan
Source"). Line breaks — and tab, which a paste from Excel brings — only in multi-line fields
(remarks, concerns). :func:`shown` escapes the same characters for display, for text
stored before the rule.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from frontdesk.i18n import gettext as _
from frontdesk.i18n import ngettext
from frontdesk.services.errors import ValidationError

__all__ = [
    "BIDI_CONTROLS",
    "PROVINCES",
    "SPECIAL_PLATE_SUFFIXES",
    "VIN_TRANSLITERATION",
    "VIN_WEIGHTS",
    "VinCheck",
    "check_text",
    "format_plate",
    "is_new_energy_plate",
    "normalise_phone",
    "normalise_plate",
    "normalise_vin",
    "phone_search_key",
    "plate_search_key",
    "shown",
    "text_problem",
    "vin_check_digit",
    "with_check_digit",
]


# --------------------------------------------------------------------------- helpers


def _fold(raw: str, drop: frozenset[str]) -> str:
    """NFKC, upper case and without whitespace or ``drop`` characters, repeated until stable.

    NFKC turns full-width letters and digits into ASCII. Upper-casing, or removing a
    separator that sat between a letter and a combining mark, can leave text that NFKC
    would change again, so loop until nothing changes: a search key must equal its own
    key. Two rounds suffice in practice; eight is a safety cap.
    """
    text = raw
    for _round in range(8):
        folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).upper())
        folded = "".join(ch for ch in folded if not ch.isspace() and ch not in drop)
        if folded == text:
            break
        text = folded
    return text


def _describe(ch: str) -> str:
    """Quote a character so that invisible or control characters are still identifiable."""
    if ch.isprintable() and not ch.isspace():
        return f"'{ch}'"
    return f"U+{ord(ch):04X}"


# --------------------------------------------------------------------------- free text

# Unicode's Bidi_Control characters: the embeddings and overrides (U+202A–U+202E), the
# isolates (U+2066–U+2069) and the marks (U+061C, U+200E, U+200F). The marks cannot reorder
# letters, but they are invisible and nothing at a Chinese dealer's desk needs them; one
# definition (the standard's) is easier to reason about than a hand-picked subset.
BIDI_CONTROLS: Final = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls, DEL and C1 controls; lone surrogates (not characters at all: UTF-8 cannot
# encode them, so PostgreSQL would fail on them as on NUL); U+2028/U+2029 break lines.
_ONE_LINE_BAD: Final = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{BIDI_CONTROLS}]")
# The same less tab and newline; CR only as part of CRLF (a lone CR rewrites a terminal line).
_MULTI_LINE_BAD: Final = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{BIDI_CONTROLS}]|\r(?!\n)"
)
_LINE_BREAKS: Final = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_SHOWN_BAD: Final = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{BIDI_CONTROLS}\u2028\u2029]")
_SHOWN_BAD_MULTI_LINE: Final = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff{BIDI_CONTROLS}\u2028\u2029]")


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why ``value`` cannot be stored as free text (translated), or None when it can.

    The search is one compiled character class run in C, so checking every argument of
    every service call costs about a microsecond.
    """
    found = (_MULTI_LINE_BAD if multiline else _ONE_LINE_BAD).search(value)
    if found is None:
        return None
    ch = found.group()[0]
    code = f"U+{ord(ch):04X}"
    if ch in _LINE_BREAKS and not multiline:
        return _("Must be one line: remove the line break ({char}).").format(char=code)
    if ch in BIDI_CONTROLS:
        return _("Contains an invisible text-direction character ({char}); remove it.").format(char=code)
    return _("Contains a control character ({char}) that cannot be stored; remove it.").format(char=code)


def check_text(field: str, value: str, multiline: bool = False) -> str:
    """``value`` unchanged, or a ``ValidationError`` naming ``field`` when it holds a refused character."""
    problem = text_problem(value, multiline)
    if problem is not None:
        raise ValidationError(field, problem)
    return value


def _escape(found: re.Match[str]) -> str:
    ch = found.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(value: str, keep_newlines: bool = False) -> str:
    """``value`` with every refused character written as a visible escape (``\\x1b``, ``\\u202e``).

    For printing stored text on a terminal: rows saved before the text rule may hold
    escape sequences, which must be seen, not obeyed. ``keep_newlines`` leaves newlines
    (and tabs) of multi-line text alone.
    """
    return (_SHOWN_BAD_MULTI_LINE if keep_newlines else _SHOWN_BAD).sub(_escape, value)


# --------------------------------------------------------------------------- VIN

# ISO 3779 / 49 CFR 565 transliteration: letters map to the digit of their position in
# the alphabet, restarting at J and S (I, O and Q are never used).
VIN_TRANSLITERATION: Final[dict[str, int]] = {
    **{str(d): d for d in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip

VIN_WEIGHTS: Final[tuple[int, ...]] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

_VIN_LENGTH: Final = 17
_VIN_CHECK_POSITION: Final = 8  # zero-based index of position 9
_VIN_SEPARATORS: Final = frozenset("-_‐‑‒–—―.·")


def vin_check_digit(vin: str) -> str:
    """The check digit a VIN should carry at position 9, whatever is there now.

    Raises ``ValueError`` (a programming error, not user input) for anything other than
    17 VIN characters: user input goes through ``normalise_vin`` first.
    """
    vin = vin.upper()
    if len(vin) != _VIN_LENGTH:
        raise ValueError(f"a VIN has {_VIN_LENGTH} characters, got {len(vin)}: {vin!r}")
    total = 0
    for index, (ch, weight) in enumerate(zip(vin, VIN_WEIGHTS, strict=True)):
        if index == _VIN_CHECK_POSITION:
            continue  # weight 0, and the character may be a placeholder
        try:
            total += VIN_TRANSLITERATION[ch] * weight
        except KeyError:
            raise ValueError(f"{ch!r} is not a VIN character (in {vin!r})") from None
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def with_check_digit(vin17: str) -> str:
    """Set position 9 so that the VIN verifies; the demo data generator makes VINs this way."""
    vin = vin17.upper()
    digit = vin_check_digit(vin)
    return vin[:_VIN_CHECK_POSITION] + digit + vin[_VIN_CHECK_POSITION + 1 :]


@dataclass(frozen=True)
class VinCheck:
    """A well-formed VIN and whether its check digit verifies.

    A mismatch is reported, not rejected: many Chinese domestic VINs do not use the
    check digit, so the advisor confirms against the registration certificate instead.
    """

    vin: str
    check_digit_ok: bool
    expected: str


def normalise_vin(raw: str) -> VinCheck:
    """Canonical VIN (17 upper-case characters) from what the clerk typed or pasted."""
    text = _fold(raw, _VIN_SEPARATORS)
    if not text:
        raise ValidationError("vin", _("Enter the VIN (17 characters)."))
    for ch in text:
        if ch in "IOQ":
            raise ValidationError(
                "vin",
                _(
                    "A VIN never contains the letters I, O or Q; "
                    "it is probably the digit 1 or 0 (found '{char}')."
                ).format(char=ch),
            )
        if ch not in VIN_TRANSLITERATION:
            raise ValidationError(
                "vin",
                _("The VIN contains an invalid character {char}.").format(char=_describe(ch)),
            )
    if len(text) != _VIN_LENGTH:
        raise ValidationError(
            "vin",
            ngettext(
                "The VIN has {count} character instead of 17.",
                "The VIN has {count} characters instead of 17.",
                len(text),
            ).format(count=len(text)),
        )
    expected = vin_check_digit(text)
    return VinCheck(vin=text, check_digit_ok=text[_VIN_CHECK_POSITION] == expected, expected=expected)


# --------------------------------------------------------------------------- plates

# The 31 mainland provincial-level abbreviations that open a civilian plate.
PROVINCES: Final = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# Special plates: the character replaces the last of the five serial characters.
SPECIAL_PLATE_SUFFIXES: Final = "学挂警港澳"

_PLATE_LETTERS: Final = frozenset("ABCDEFGHJKLMNPQRSTUVWXYZ")  # no I, no O
_PLATE_SERIAL_CHARS: Final = _PLATE_LETTERS | frozenset("0123456789")
_NEW_ENERGY_MARKS: Final = frozenset("DF")
_PLATE_SEPARATORS: Final = frozenset("·•.-_・‧∙‐‑‒–—―。")
_ORDINARY_PLATE_LENGTH: Final = 7
_NEW_ENERGY_PLATE_LENGTH: Final = 8


def plate_search_key(fragment: str) -> str:
    """Normalise a partial plate the same way as a full one, for search-as-you-type.

    No validation: "粤b·12" must find 粤B12345 while the clerk is still typing.
    """
    return _fold(fragment, _PLATE_SEPARATORS)


def normalise_plate(raw: str) -> str:
    """Canonical mainland plate ("粤B12345", "粤BD12345", "粤B1234学") or a ``ValidationError``.

    Only civilian plates of the 31 provinces are accepted; embassy, military and
    Hong Kong/Macau cross-border plates are rare enough at a dealer desk to be typed
    into the remarks.
    """
    plate = plate_search_key(raw)
    if not plate:
        raise ValidationError("plate", _("Enter the plate number, for example 粤B12345."))

    province = plate[0]
    if province not in PROVINCES:
        if province.isascii():
            raise ValidationError(
                "plate",
                _("The plate must start with the province character, for example 粤."),
            )
        raise ValidationError(
            "plate",
            _("{char} is not a province abbreviation.").format(char=_describe(province)),
        )

    if len(plate) < 2:
        raise ValidationError(
            "plate", _("The plate is incomplete: the city letter after the province is missing.")
        )
    city = plate[1]
    if city in "IO":
        raise ValidationError("plate", _("Plates do not use the letters I or O."))
    if city not in _PLATE_LETTERS:
        raise ValidationError(
            "plate",
            _("The second character must be the city letter (A–Z), not {char}.").format(
                char=_describe(city)
            ),
        )

    serial = plate[2:]
    for index, ch in enumerate(serial):
        if ch in _PLATE_SERIAL_CHARS:
            continue
        if ch in "IO":
            raise ValidationError("plate", _("Plates do not use the letters I or O."))
        if ch in SPECIAL_PLATE_SUFFIXES:
            if index != len(serial) - 1 or len(plate) != _ORDINARY_PLATE_LENGTH:
                raise ValidationError(
                    "plate",
                    _(
                        "{char} may only be the last character of a 7-character plate, "
                        "for example 粤B1234学."
                    ).format(char=_describe(ch)),
                )
            continue
        raise ValidationError(
            "plate",
            _("The plate contains an invalid character {char}.").format(char=_describe(ch)),
        )

    if len(plate) not in (_ORDINARY_PLATE_LENGTH, _NEW_ENERGY_PLATE_LENGTH):
        raise ValidationError(
            "plate",
            ngettext(
                "The plate has {count} character; it should have 7 "
                "(8 for a new-energy vehicle).",
                "The plate has {count} characters; it should have 7 "
                "(8 for a new-energy vehicle).",
                len(plate),
            ).format(count=len(plate)),
        )

    if len(plate) == _NEW_ENERGY_PLATE_LENGTH and not _has_new_energy_mark(plate):
        raise ValidationError(
            "plate",
            _(
                "An 8-character plate is a new-energy plate: D or F must come right after "
                "the city letter (粤BD12345) or at the end (粤B12345D)."
            ),
        )
    return plate


def _has_new_energy_mark(plate: str) -> bool:
    return plate[2] in _NEW_ENERGY_MARKS or plate[-1] in _NEW_ENERGY_MARKS


def is_new_energy_plate(plate: str) -> bool:
    """Green plate or not: NEVs get different service packages and a different bay."""
    key = plate_search_key(plate)
    return len(key) == _NEW_ENERGY_PLATE_LENGTH and _has_new_energy_mark(key)


def format_plate(plate: str) -> str:
    """Plate as printed on the plate itself ("粤B·12345"); never fails, so old data still shows."""
    key = plate_search_key(plate)
    if len(key) <= 2:
        return key
    return f"{key[:2]}·{key[2:]}"


# --------------------------------------------------------------------------- phones

_PHONE_SEPARATORS: Final = frozenset("-()‐‑‒–—―.")
_PHONE_RE: Final = re.compile(r"(?:\+86|0086|86)?([0-9]{11})", re.ASCII)
_MOBILE_RE: Final = re.compile(r"1[3-9][0-9]{9}", re.ASCII)


def phone_search_key(fragment: str) -> str:
    """Only the digits, so "138 1234" and "138-1234" find the same customer."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", fragment) if "0" <= ch <= "9")


def normalise_phone(raw: str) -> str:
    """Canonical mainland mobile number: 11 digits, no prefix, no separators.

    Customers are reached by SMS and WeChat, so only mobiles are accepted; a landline
    belongs in the remarks.
    """
    text = "".join(
        ch
        for ch in unicodedata.normalize("NFKC", raw)
        if not ch.isspace() and ch not in _PHONE_SEPARATORS
    )
    if not text:
        raise ValidationError("phone", _("Enter the mobile number (11 digits)."))
    for index, ch in enumerate(text):
        if "0" <= ch <= "9" or (ch == "+" and index == 0):
            continue
        raise ValidationError(
            "phone",
            _("The mobile number contains an invalid character {char}.").format(
                char=_describe(ch)
            ),
        )
    if text.startswith("+") and not text.startswith("+86"):
        raise ValidationError(
            "phone", _("Only mainland China mobile numbers (+86) can be entered.")
        )
    match = _PHONE_RE.fullmatch(text)
    if match is None:
        digits = len(text.removeprefix("+86")) if text.startswith("+86") else len(text)
        raise ValidationError(
            "phone",
            _("A mobile number has 11 digits; this one has {count}.").format(count=digits),
        )
    number = match.group(1)
    if _MOBILE_RE.fullmatch(number) is None:
        raise ValidationError(
            "phone",
            _("{number} is not a mainland mobile number: it must start with 13 to 19.").format(
                number=number
            ),
        )
    return number
