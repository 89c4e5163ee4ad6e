"""The demo store's maker's schedule: Volkswagen's service packages, per engine and model.

The demo store is a Volkswagen dealer (services/demo_sources.py) and its parts catalog
is Volkswagen's (frontdesk/assets/catalog), so its schedule is Volkswagen's: a first
service at 5 000 km or 6 months (首保, paid by the maker), then every 10 000 km or 12
months an oil service, every 20 000 km or 24 months the engine and cabin air filters too,
and every 40 000 km or 48 months the brake fluid and spark plugs too. What changes by model
is the oil and its quantity (the EA211 engines take 4 L of 0W-20, the EA888 ones 5.7 L of
5W-30), the filters and the plugs; the electric ID.4s have no oil service at all — a cabin
filter and a check of the high-voltage system every 20 000 km, brake fluid every 40 000.

Models that share an engine and filters share a package, named after them ("朗逸/宝来
20000公里保养"). Tayron and Tiguan L share their filters, as do Magotan and Passat; T-Roc
(途岳) and Lamando L (凌渡L), MQB cars like the Sagitar and Golf, are given theirs (the demo
catalog names no filters of their own). Codes, labour operations and part numbers are the
demo catalog's; ``demo_packages`` is what the demo saves (``packages.save_package``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .packages import PackageInput

MAKE = "大众"

# Labour operations (frontdesk/assets/catalog/labor_operations.csv)
FIRST_SERVICE = "MT0117"  # 首次免费保养(首保)
OIL_SERVICE = "MT0101"  # 更换机油机滤
RESET_INDICATOR = "MT0127"  # 保养提示归零
AIR_FILTER = "MT0102"  # 更换空气滤清器
CABIN_FILTER = "MT0103"  # 更换空调滤清器
BRAKE_FLUID = "MT0106"  # 更换刹车油
SPARK_PLUGS = "MT0104"  # 更换火花塞(4缸)
HV_CHECK = "NE0117"  # 三电系统检查

# Parts every engine's oil service takes, and the brake fluid (frontdesk/assets/catalog/parts.csv)
DRAIN_PLUG_WASHER = "000109460L"
BRAKE_FLUID_DOT4_LV = "LQ-0008"


@dataclass(frozen=True)
class Engine:
    oil: str
    oil_litres: Decimal
    oil_filter: tuple[str, ...]  # the filter and what is changed with it
    spark_plug: str


EA211 = Engine("LQ-0001", Decimal(4), ("04E115836",), "04E905931")  # 0W-20
EA888 = Engine("LQ-0004", Decimal("5.7"), ("06L115980F", "000115440"), "06L905516G")  # 5W-30, element + O-ring


@dataclass(frozen=True)
class Group:
    code: str  # the package codes' middle part
    name: str
    name_en: str
    models: tuple[str, ...]
    engine: Engine
    air_filter: str
    cabin_filter: str


GROUPS: tuple[Group, ...] = (
    Group("LAV", "朗逸/宝来", "Lavida/Bora", ("朗逸", "宝来"), EA211, "18G129566MA", "18G819605MF"),
    Group("SAG", "速腾/高尔夫/途岳/凌渡L", "Sagitar/Golf/T-Roc/Lamando L", ("速腾", "高尔夫", "途岳", "凌渡L"), EA211,
          "5Q0129826K", "5Q0819145C"),
    Group("MAG", "迈腾/帕萨特", "Magotan/Passat", ("迈腾", "帕萨特"), EA888, "3Q0129791N", "3Q0819133"),
    Group("TIG", "途观L/探岳", "Tiguan L/Tayron", ("途观L", "探岳"), EA888, "5NA129693N", "5NA819188F"),
)
ID4_MODELS = ("ID.4 X", "ID.4 CROZZ")
ID4_CABIN_FILTER = "11A819984G"

Line = tuple[str, Decimal | None]


def _oil(engine: Engine) -> tuple[Line, ...]:
    return ((engine.oil, engine.oil_litres), *((p, Decimal(1)) for p in engine.oil_filter), (DRAIN_PLUG_WASHER, Decimal(1)))


def _group_packages(g: Group) -> list[PackageInput]:
    models = ",".join(g.models)
    oil = ((OIL_SERVICE, None), *_oil(g.engine), (RESET_INDICATOR, None))
    filters = ((AIR_FILTER, None), (g.air_filter, Decimal(1)), (CABIN_FILTER, None), (g.cabin_filter, Decimal(1)))
    major = ((BRAKE_FLUID, None), (BRAKE_FLUID_DOT4_LV, Decimal(1)), (SPARK_PLUGS, None), (g.engine.spark_plug, Decimal(4)))

    def package(km: int, months: int, lines: tuple[Line, ...], first: bool = False) -> PackageInput:
        if first:
            name, name_en = f"{g.name} 首次保养(5000公里)", f"{g.name_en} first service (5,000 km)"
        else:
            name, name_en = f"{g.name} {km}公里保养", f"{g.name_en} {km:,} km service"
        return PackageInput(f"VW-{g.code}-{km // 1000}K", name, name_en, MAKE, models, km, months, lines, first)

    return [
        package(5000, 6, ((FIRST_SERVICE, None), *_oil(g.engine), (RESET_INDICATOR, None)), first=True),
        package(10000, 12, oil),
        package(20000, 24, (*oil, *filters)),
        package(40000, 48, (*oil, *filters, *major)),
    ]


def _id4_packages() -> list[PackageInput]:
    models = ",".join(ID4_MODELS)
    base = ((HV_CHECK, None), (CABIN_FILTER, None), (ID4_CABIN_FILTER, Decimal(1)), (RESET_INDICATOR, None))
    return [
        PackageInput("VW-ID4-20K", "ID.4 20000公里保养", "ID.4 20,000 km service", MAKE, models, 20000, 24, base),
        PackageInput("VW-ID4-40K", "ID.4 40000公里保养", "ID.4 40,000 km service", MAKE, models, 40000, 48,
                     (*base, (BRAKE_FLUID, None), (BRAKE_FLUID_DOT4_LV, Decimal(1)))),
    ]


def demo_packages() -> list[PackageInput]:
    """The demo's service packages, ready for ``packages.save_package`` (codes are unique)."""
    out = [p for g in GROUPS for p in _group_packages(g)]
    return out + _id4_packages()


__all__ = ["GROUPS", "demo_packages"]
