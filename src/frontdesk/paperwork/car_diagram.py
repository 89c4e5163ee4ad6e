"""A top view of a car with the 19 walkaround panels, marked ones shaded and coded.

Why drawn rather than an image: every panel code of the check-in screen has a shape here,
so a mark lands on the right panel, prints sharp at any resolution and costs no asset.
Front is at the top; the car's left (the driver's side in China) is on the reader's left.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from reportlab.graphics.shapes import Drawing, Group, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from .documents import DAMAGE_CODES, PanelMark
from .styles import ACCENT, MARK_FILL, MUTED, PANEL_FILL, RULE, WARN

# Units: the body is 60 wide and 120 long; the drawing adds room for wheels and labels.
UNIT_W, UNIT_H = 92.0, 138.0
X0, Y0 = 16.0, 6.0  # body origin inside the drawing

Point = tuple[float, float]

# Each panel as a polygon in body units (x 0..60 left→right, y 0..120 rear→front).
PANELS: dict[str, list[Point]] = {
    "front_bumper": [(5, 112), (55, 112), (58, 115), (57, 119), (52, 120), (8, 120), (3, 119), (2, 115)],
    "bonnet": [(11, 88), (49, 88), (49, 111), (46, 111.5), (14, 111.5), (11, 111)],
    "front_left_wing": [(0.5, 88), (10, 88), (10, 111), (4, 111), (0.5, 106)],
    "front_right_wing": [(50, 88), (59.5, 88), (59.5, 106), (56, 111), (50, 111)],
    "windscreen": [(11, 87), (49, 87), (45, 76), (15, 76)],
    "roof": [(15, 75), (45, 75), (45, 43), (15, 43)],
    "rear_window": [(15, 42), (45, 42), (48, 33), (12, 33)],
    "front_left_door": [(0.5, 61), (10, 61), (10, 87), (0.5, 87)],
    "front_right_door": [(50, 61), (59.5, 61), (59.5, 87), (50, 87)],
    "rear_left_door": [(0.5, 34), (10, 34), (10, 60), (0.5, 60)],
    "rear_right_door": [(50, 34), (59.5, 34), (59.5, 60), (50, 60)],
    "rear_left_wing": [(4, 10), (10, 10), (10, 33), (0.5, 33), (0.5, 14)],
    "rear_right_wing": [(50, 10), (56, 10), (59.5, 14), (59.5, 33), (50, 33)],
    "boot_lid": [(11, 10), (49, 10), (49, 32), (11, 32)],
    "rear_bumper": [(8, 0), (52, 0), (57, 1), (58, 5), (55, 9), (5, 9), (2, 5), (3, 1)],
    "front_left_wheel": [(-6, 92), (-0.5, 92), (-0.5, 106), (-6, 106)],
    "front_right_wheel": [(60.5, 92), (66, 92), (66, 106), (60.5, 106)],
    "rear_left_wheel": [(-6, 16), (-0.5, 16), (-0.5, 30), (-6, 30)],
    "rear_right_wheel": [(60.5, 16), (66, 16), (66, 30), (60.5, 30)],
}
MIRRORS: list[list[Point]] = [[(-4, 84), (0.5, 86), (0.5, 82)], [(64, 84), (59.5, 86), (59.5, 82)]]


def _centre(points: Sequence[Point]) -> Point:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def codes_by_panel(marks: Sequence[PanelMark]) -> dict[str, str]:
    """``{"rear_right_door": "A B"}``: each panel's damage letters, in the legend's order."""
    found: dict[str, set[str]] = defaultdict(set)
    for mark in marks:
        found[mark.panel].add(DAMAGE_CODES[mark.damage])
    return {panel: " ".join(sorted(codes)) for panel, codes in found.items()}


def car_diagram(marks: Sequence[PanelMark], font: str, width: float = 62 * mm,
                labels: tuple[str, str, str, str] = ("Front", "Rear", "Left", "Right")) -> Drawing:
    """The drawing, ``width`` wide; ``labels`` are the translated front/rear/left/right."""
    scale = width / UNIT_W
    drawing = Drawing(width, UNIT_H * scale, initialFontName=font)
    group = Group()
    group.scale(scale, scale)
    codes = codes_by_panel(marks)
    pt_unit = 1 / scale  # font sizes below are in points, whatever the drawing's width

    def pt(points: Sequence[Point]) -> list[float]:
        out: list[float] = []
        for x, y in points:
            out += [X0 + x, Y0 + y]
        return out

    # The body behind the panels: the gaps between panels read as pillars and shut lines.
    group.add(Rect(X0 - 0.5, Y0 - 0.5, 61, 121, rx=8, ry=8, fillColor=colors.HexColor("#dfe3e8"),
                   strokeColor=RULE, strokeWidth=0.8))
    for mirror in MIRRORS:
        group.add(Polygon(pt(mirror), fillColor=colors.HexColor("#dfe3e8"), strokeColor=RULE,
                          strokeWidth=0.5))
    for panel, points in PANELS.items():
        marked = panel in codes
        is_wheel = panel.endswith("wheel")
        group.add(Polygon(
            pt(points),
            fillColor=MARK_FILL if marked else (colors.HexColor("#4a4f57") if is_wheel else PANEL_FILL),
            strokeColor=WARN if marked else RULE,
            strokeWidth=1.0 if marked else 0.5,
        ))
    for panel, text in codes.items():
        cx, cy = _centre(PANELS[panel])
        size = 9 * pt_unit
        if panel.endswith("wheel"):  # too narrow: write beside the wheel, outside the car
            cx += -7 if "left" in panel else 7
        elif panel.endswith(("wing", "door")):
            size = 8 * pt_unit
            if len(text) > 1:  # "A B" does not fit across a door: stack it
                for i, code in enumerate(text.split()):
                    group.add(String(X0 + cx, Y0 + cy + size * (0.2 - i), code, fontName=font,
                                     fontSize=size, fillColor=WARN, textAnchor="middle"))
                continue
        group.add(String(X0 + cx, Y0 + cy - size / 3, text, fontName=font, fontSize=size,
                         fillColor=WARN, textAnchor="middle"))
    front, rear, left, right = labels
    small = 7 * pt_unit
    group.add(String(X0 + 30, Y0 + 122.5, f"▲ {front}", fontName=font, fontSize=small,
                     fillColor=ACCENT, textAnchor="middle"))
    group.add(String(X0 + 30, Y0 - 1.5 - small, rear, fontName=font, fontSize=small,
                     fillColor=MUTED, textAnchor="middle"))
    group.add(String(X0 - 10, Y0 + 60, left, fontName=font, fontSize=small, fillColor=MUTED,
                     textAnchor="middle"))
    group.add(String(X0 + 70, Y0 + 60, right, fontName=font, fontSize=small, fillColor=MUTED,
                     textAnchor="middle"))
    drawing.add(group)
    return drawing
