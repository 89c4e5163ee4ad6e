"""What a VIN says about the car, in the store's own words: maker, model year, model.

The advisor types (or scans) the VIN at check-in; brand, model and year were then typed
again. The maker and the model year are in the VIN itself: its WMI (positions 1-3) names
the maker and position 10 the model year (ISO 3779). ``vininfo`` keeps the WMI list,
Chinese joint ventures included (LFV FAW-Volkswagen, LSV SAIC Volkswagen, LHG Guangzhou
Honda, LRW Tesla China, LGX BYD Auto, ...).

A maker's name is not what the store writes on its cars, though: a Guangzhou VW dealer
writes 大众 for both FAW-Volkswagen and SAIC Volkswagen. So the make is, in order:

0. the make of the known cars of the same line (below);
1. what the store's own vehicles with the same WMI are called (their most common make:
   this also settles a joint venture that builds several brands, e.g. SAIC-GM's 别克);
2. the maker's brand from ``_BRANDS``, in the spelling the store's vehicles use (大众 or
   Volkswagen), Chinese when the store has no car of that brand yet;
3. vininfo's own name of the maker.

The model is not in the VIN in any standard form, so it is filled only where the store's
data leaves one choice: a known car with the same WMI and VDS (positions 1-8: maker, line,
body and engine) is the same model; otherwise the make's known models (its vehicles' and
its service packages') when there is just one. ``models`` lists them, most common first,
for the form to offer. The advisor confirms or corrects all of it.
"""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frontdesk.model import Vehicle

from .errors import ValidationError
from .runtime import Services
from .validation import normalise_vin

# vininfo's manufacturer names -> the brand's spellings, the usual Chinese one first.
_BRANDS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("FAW-Volkswagen", "SAIC Volkswagen", "Volkswagen", "Volkswagen Commercial Vehicles"),
     ("大众", "Volkswagen", "VW", "一汽-大众", "一汽大众", "上汽大众", "上汽-大众")),
    (("FAW Toyota", "FAW Toyota (Tianjin)", "GAC Toyota", "Toyota"), ("丰田", "Toyota", "一汽丰田", "广汽丰田")),
    (("Guangzhou Honda", "Dongfeng Honda", "Honda"), ("本田", "Honda", "广汽本田", "东风本田")),
    (("Dongfeng Nissan", "Nissan"), ("日产", "Nissan", "东风日产")),
    (("SAIC General Motors", "Buick", "Buick China"), ("别克", "Buick")),
    (("BYD Auto",), ("比亚迪", "BYD")),
    (("Tesla China", "Tesla"), ("特斯拉", "Tesla")),
    (("BMW Brilliance", "BMW"), ("宝马", "BMW", "华晨宝马")),
    (("Beijing Benz", "Mercedes-Benz", "DaimlerChrysler AG/Daimler AG"), ("奔驰", "Mercedes-Benz", "Benz", "北京奔驰")),
    (("FAW Car",), ("红旗", "Hongqi")),
    (("Geely",), ("吉利", "Geely")),
    (("Great Wall (Havel)",), ("哈弗", "Haval", "长城", "Great Wall")),
    (("Changan Ford", "Ford"), ("福特", "Ford", "长安福特")),
    (("Audi",), ("奥迪", "Audi")),
    (("Porsche car",), ("保时捷", "Porsche")),
    (("Škoda",), ("斯柯达", "Skoda")),
    (("Beijing Hyundai",), ("现代", "Hyundai", "北京现代")),
    (("Dongfeng Yueda Kia",), ("起亚", "Kia")),
    (("Changan Mazda",), ("马自达", "Mazda")),
    (("Changan Suzuki",), ("铃木", "Suzuki")),
    (("Chery",), ("奇瑞", "Chery")),
    (("SAIC MG",), ("名爵", "MG")),
    (("SAIC GM Wuling",), ("五菱", "Wuling")),
    (("GAC Trumpchi",), ("传祺", "Trumpchi")),
    (("Volvo", "Volvo China", "Volvo Cars"), ("沃尔沃", "Volvo")),
)
_BY_MAKER = {maker: spellings for makers, spellings in _BRANDS for maker in makers}
# Makers vininfo does not know yet, by WMI.
_WMI_EXTRA: dict[str, tuple[str, ...]] = {"LW4": ("理想", "Li Auto")}
_UNKNOWN = "UnsupportedBrand"  # vininfo's name for a WMI it does not know


@dataclass(frozen=True)
class VinFacts:
    make: str  # in the store's spelling where it knows the maker
    model_year: int | None
    model: str  # "" unless the store's data leaves one choice
    models: tuple[str, ...]  # the make's known models, most common first
    country: str


def decode(services: Services, vin: str) -> VinFacts | None:
    """The VIN's facts, or None for what is no VIN or names no maker known here or to vininfo.

    Never raises for what was typed: the check-in form calls it on every VIN entered.
    """
    from vininfo import Vin  # type: ignore[import-untyped]  # imported on first use: the form decodes, not the login

    if not isinstance(vin, str):
        return None
    try:
        text = normalise_vin(vin).vin  # full-width characters, spaces and dashes as save_vehicle takes them
        parsed = Vin(text)
        maker = parsed.manufacturer or ""
        country = parsed.country or ""
        years = list(parsed.years)
    except (ValidationError, ValueError, LookupError, TypeError):  # vininfo's ValidationError is a ValueError
        return None
    today = services.clock().date()
    with services.db.reader() as s:
        same_line = _same_line(s, text)
        make = same_line[0][0] if same_line else _make(s, text, maker)
        if not make:
            return None
        models = _models(s, make)
    line_models = {model for m, model in same_line if m == make}
    model = line_models.pop() if len(line_models) == 1 else (models[0] if len(models) == 1 else "")
    return VinFacts(make, model_year_of(years, today.year), model, models, "" if country == _UNKNOWN else country)


def model_year_of(candidates: list[int], this_year: int) -> int | None:
    """The candidate years of the 10th character repeat every 30 years: the latest one not
    after next year (a model year runs ahead of the calendar by up to a year)."""
    fitting = [y for y in candidates if y <= this_year + 1]
    return max(fitting) if fitting else None


def _make(s: Session, vin: str, maker: str) -> str:
    # A scan of the vehicles (tens of thousands at most), once per VIN entered, not per keystroke.
    same_wmi = s.execute(select(Vehicle.make, func.count()).where(Vehicle.vin.startswith(vin[:3]))
                         .group_by(Vehicle.make).order_by(func.count().desc(), Vehicle.make)).first()
    if same_wmi is not None and same_wmi[0]:
        return str(same_wmi[0])
    spellings = _WMI_EXTRA.get(vin[:3]) or _BY_MAKER.get(maker)
    if spellings is None:
        return "" if maker in ("", _UNKNOWN) else maker
    used = dict(s.execute(select(Vehicle.make, func.count()).where(Vehicle.make.in_(spellings))
                          .group_by(Vehicle.make)).all())
    if used:
        return max(spellings, key=lambda m: used.get(m, 0))
    return spellings[0]


def _models(s: Session, make: str) -> tuple[str, ...]:
    """The make's models the store knows: its vehicles' (most common first), then its packages'."""
    counted = Counter(dict(s.execute(select(Vehicle.model, func.count()).where(Vehicle.make == make)
                                     .group_by(Vehicle.model)).all()))
    for models in _package_models(s, make):
        for model in models.split(","):
            if model.strip() and model.strip() not in counted:
                counted[model.strip()] = 0
    counted.pop("", None)
    return tuple(m for m, _n in sorted(counted.items(), key=lambda mn: (-mn[1], mn[0])))


def _package_models(s: Session, make: str) -> list[str]:
    """The model lists of the make's service packages (model/package.py), once that table exists."""
    try:
        package = importlib.import_module("frontdesk.model.package").ServicePackage
    except (ImportError, AttributeError):
        return []
    return list(s.scalars(select(package.models).where(package.make == make, package.models != "")))


def _same_line(s: Session, vin: str) -> list[tuple[str, str]]:
    """(make, model) of the known cars whose VIN starts like this one (WMI and VDS, positions 1-8:
    maker, line, body, engine), the most common first: the same make and, one model among them, the same model."""
    rows = s.execute(select(Vehicle.make, Vehicle.model, func.count()).where(Vehicle.vin.startswith(vin[:8]))
                     .group_by(Vehicle.make, Vehicle.model).order_by(func.count().desc(), Vehicle.make, Vehicle.model))
    return [(str(make), str(model)) for make, model, _n in rows if make and model]
