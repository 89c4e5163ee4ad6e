"""Looking inside rendered PDFs: text, fonts, pixels and QR codes, with the tools a desk has."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Text without whitespace: table cells wrap, so a phrase may come out split over lines."""
    return _SPACE.sub("", text)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def missing_texts(path: Path, expected: list[str]) -> list[str]:
    whole = squash("".join(page_texts(path)))
    return [e for e in expected if squash(e) not in whole]


@dataclass(frozen=True)
class FontInfo:
    name: str
    subtype: str
    embedded_as: str | None  # "FontFile2" (TrueType), "FontFile3", "FontFile" or None


def _resolve(obj: object) -> object:
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def fonts(path: Path) -> list[FontInfo]:
    """Every font a page uses, with the stream that embeds it (descendant fonts followed)."""
    found: dict[str, FontInfo] = {}
    for page in PdfReader(str(path)).pages:
        resources = _resolve(page.get("/Resources")) or {}
        font_dict = _resolve(resources.get("/Font")) or {}
        for ref in font_dict.values():
            font = _resolve(ref)
            assert isinstance(font, DictionaryObject)
            targets = [font]
            if font.get("/Subtype") == "/Type0":
                targets = [_resolve(d) for d in _resolve(font["/DescendantFonts"])]
            for target in targets:
                descriptor = _resolve(target.get("/FontDescriptor")) or {}
                embedded = next((k[1:] for k in ("/FontFile2", "/FontFile3", "/FontFile")
                                 if k in descriptor), None)
                name = str(target.get("/BaseFont"))
                found[name] = FontInfo(name, str(target.get("/Subtype")), embedded)
    return list(found.values())


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


def rasterise(path: Path, out_prefix: Path, *, dpi: int, gray: bool = False, page: int = 1) -> Path:
    """One page through poppler's pdftoppm; returns the image (PNG, or PGM when ``gray``)."""
    args = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile"]
    args += ["-gray"] if gray else ["-png"]
    done = subprocess.run([*args, str(path), str(out_prefix)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, f"pdftoppm failed on {path}: {done.stderr}"
    image = out_prefix.with_suffix(".pgm" if gray else ".png")
    assert image.is_file(), f"pdftoppm wrote no {image}"
    return image


@dataclass(frozen=True)
class Gray:
    width: int
    height: int
    pixels: bytes  # one byte a pixel, 0 = black

    def darkness(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Share of clearly dark pixels (< 128) in a box given as fractions of the page."""
        left, right = int(x0 * self.width), int(x1 * self.width)
        top, bottom = int(y0 * self.height), int(y1 * self.height)
        dark = total = 0
        for row in range(top, bottom):
            line = self.pixels[row * self.width + left: row * self.width + right]
            dark += sum(1 for p in line if p < 128)
            total += len(line)
        return dark / total if total else 0.0


def read_pgm(path: Path) -> Gray:
    """A binary (P5) PGM, 8-bit, parsed with plain Python."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    assert magic == b"P5" and maxval == 255, f"unexpected PGM header {fields}"
    pos += 1  # the single whitespace after maxval
    return Gray(width, height, data[pos:pos + width * height])


def decode_qr(image: Path) -> list[str]:
    done = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
                          capture_output=True, text=True, timeout=60, check=False)
    return [line for line in done.stdout.splitlines() if line]
