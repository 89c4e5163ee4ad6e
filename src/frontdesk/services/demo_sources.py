"""Raw material for the demo database: names, vehicles, plates, concerns and the catalogue.

Pure data plus a few small generators. Every generator takes a ``random.Random`` so a
seeded demo is reproducible. Plates and mobiles come out already in the canonical form of
``frontdesk.services.validation``; VIN bodies carry a placeholder ``'0'`` at position 9
for the caller to replace with ``validation.with_check_digit``.

The labour-operation and parts catalogues live as CSV files in
``frontdesk/assets/catalog`` and are read with ``load_labor_operations`` and
``load_parts``. Money and hours are ``Decimal``, never float.

Standard library only: no Textual, no SQLAlchemy.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Final

__all__ = [
    "COLOURS",
    "COMPANY_NAMES",
    "CONCERNS",
    "GIVEN_CHARS",
    "MOBILE_PREFIXES",
    "MODEL_YEAR_CODES",
    "PROVINCE_CITY_CODES",
    "SURNAMES",
    "VEHICLE_MODELS",
    "LaborOpRow",
    "PartRow",
    "VehicleModel",
    "load_labor_operations",
    "load_parts",
    "model_year_of",
    "random_mobile",
    "random_person_name",
    "random_plate",
    "random_vin_body",
]


# --------------------------------------------------------------------------- people

# Most common first (roughly the order of the national household-register statistics);
# ``random_person_name`` weights by rank, so 王/李/张 dominate as they do at a real desk.
SURNAMES: Final[tuple[str, ...]] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
    "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余",
    "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任", "卢",
    "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪", "廖",
    "石", "金", "韦", "贾", "夏", "付", "方", "邹", "熊", "白",
    "孟", "秦", "邱", "侯", "江", "尹", "薛", "闫", "段", "雷",
    "龙", "黎", "史", "陶", "贺", "毛", "郝", "顾", "龚", "邵",
    "万", "覃", "武", "钱", "戴", "严", "莫", "孔", "向", "常",
    "欧阳", "司徒", "上官",
)  # fmt: skip

GIVEN_CHARS: Final[tuple[str, ...]] = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
    "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
    "刚", "桂", "英", "华", "文", "辉", "建", "国", "红", "玲",
    "燕", "鹏", "飞", "斌", "宇", "浩", "凯", "健", "俊", "帆",
    "帅", "旭", "宁", "龙", "林", "欢", "佳", "阳", "婷", "雪",
    "琳", "晨", "晶", "丹", "倩", "颖", "露", "瑶", "怡", "欣",
    "梅", "莉", "兰", "萍", "慧", "琴", "云", "凤", "洁", "彬",
    "博", "波", "毅", "峰", "亮", "东", "海", "伦", "志", "永",
    "春", "荣", "新", "清", "子", "梓", "轩", "涵", "睿", "泽",
    "晗", "宸", "昊", "航", "然", "嘉", "思", "雨", "诗", "可",
    "一", "天", "雅", "若", "馨", "彤", "萱", "琪", "悦", "璐",
    "铭", "瑞", "哲", "晓", "振", "家", "德", "成", "和", "安",
    "立", "诚", "宾", "坤", "锋", "昌", "江", "兴", "启", "智",
    "泉", "添", "耀", "炜", "豪", "卓", "恒", "卫", "琦", "芬",
    "妍", "薇", "蕾", "冰", "韵", "宏", "彦", "翔", "骏", "胜",
    "少", "丰", "金", "锦", "焕", "达", "远", "晖", "铨", "培",
)  # fmt: skip

# Fleet and corporate customers: invented names, any likeness is accidental.
COMPANY_NAMES: Final[tuple[str, ...]] = (
    "广州市穗禾捷运物流有限公司",
    "广州市越秀区恒达商务服务有限公司",
    "广州市天河区云帆科技有限公司",
    "广州市番禺区鸿昇建材贸易有限公司",
    "广州市白云区顺锦汽车租赁有限公司",
    "广州市海珠区嘉润餐饮管理有限公司",
    "广州市黄埔区新澜电子有限公司",
    "广州市花都区永盛皮具有限公司",
    "广州市南沙区海鸥港务服务有限公司",
    "广州市荔湾区泰和医药连锁有限公司",
    "广州市增城区绿田农业发展有限公司",
    "广州市从化区溪源旅游开发有限公司",
    "广东粤通城配供应链有限公司",
    "广东岭南卓越物业管理有限公司",
    "广东华樾工程监理有限公司",
    "广州市骏途网约车服务有限公司",
    "广州市安畅驾驶员培训有限公司",
    "广州市明德教育咨询有限公司",
    "佛山市南海区瑞丰五金制品有限公司",
    "广州市康诺口腔门诊部有限公司",
    "广州市瀚海会展服务有限公司",
    "广州市东湖保安服务有限公司",
    "广州市星屿文化传媒有限公司",
    "广州市金穗粮油贸易有限公司",
)


# --------------------------------------------------------------------------- vehicles


@dataclass(frozen=True)
class VehicleModel:
    make: str
    model: str
    wmi: str
    new_energy: bool


# The demo store is a Volkswagen dealer, so VW models come first and make up the largest
# share of a uniform pick; the rest are the other cars a Guangzhou workshop sees.
VEHICLE_MODELS: Final[tuple[VehicleModel, ...]] = (
    VehicleModel("大众", "朗逸", "LSV", False),
    VehicleModel("大众", "帕萨特", "LSV", False),
    VehicleModel("大众", "途观L", "LSV", False),
    VehicleModel("大众", "途岳", "LSV", False),
    VehicleModel("大众", "凌渡L", "LSV", False),
    VehicleModel("大众", "ID.4 X", "LSV", True),
    VehicleModel("大众", "速腾", "LFV", False),
    VehicleModel("大众", "迈腾", "LFV", False),
    VehicleModel("大众", "宝来", "LFV", False),
    VehicleModel("大众", "探岳", "LFV", False),
    VehicleModel("大众", "高尔夫", "LFV", False),
    VehicleModel("大众", "ID.4 CROZZ", "LFV", True),
    VehicleModel("丰田", "卡罗拉", "LFM", False),
    VehicleModel("丰田", "凯美瑞", "LVG", False),
    VehicleModel("丰田", "RAV4荣放", "LFM", False),
    VehicleModel("本田", "雅阁", "LHG", False),
    VehicleModel("本田", "思域", "LVH", False),
    VehicleModel("本田", "CR-V", "LVH", False),
    VehicleModel("日产", "轩逸", "LGB", False),
    VehicleModel("日产", "奇骏", "LGB", False),
    VehicleModel("别克", "英朗", "LSG", False),
    VehicleModel("别克", "GL8", "LSG", False),
    VehicleModel("比亚迪", "秦PLUS DM-i", "LGX", True),
    VehicleModel("比亚迪", "宋PLUS DM-i", "LGX", True),
    VehicleModel("比亚迪", "海豚", "LGX", True),
    VehicleModel("特斯拉", "Model 3", "LRW", True),
    VehicleModel("特斯拉", "Model Y", "LRW", True),
    VehicleModel("宝马", "3系", "LBV", False),
    VehicleModel("奔驰", "C级", "LE4", False),
    VehicleModel("红旗", "H5", "LFP", False),
    VehicleModel("吉利", "星瑞", "L6T", False),
    VehicleModel("哈弗", "H6", "LGW", False),
    VehicleModel("福特", "福克斯", "LVS", False),
    VehicleModel("理想", "L6", "LW4", True),
)

# Body colours as the registration certificate and the customer name them.
COLOURS: Final[tuple[tuple[str, str], ...]] = (
    ("珍珠白", "Pearl white"),
    ("糖果白", "Candy white"),
    ("极地白", "Polar white"),
    ("曜石黑", "Obsidian black"),
    ("深黑", "Deep black"),
    ("月光银", "Moonlight silver"),
    ("钛金灰", "Titanium grey"),
    ("星空灰", "Starlight grey"),
    ("玛瑙红", "Agate red"),
    ("宝石蓝", "Sapphire blue"),
    ("深海蓝", "Deep-sea blue"),
    ("琥珀棕", "Amber brown"),
    ("橄榄绿", "Olive green"),
    ("香槟金", "Champagne gold"),
    ("天际蓝", "Sky blue"),
)

# Plate prefixes (province character, city letter). Repetition is the weight: the demo
# store is in Guangzhou, so 粤A dominates, with the rest of the Pearl River Delta next
# and a handful of cars from neighbouring provinces.
PROVINCE_CITY_CODES: Final[tuple[tuple[str, str], ...]] = (
    *(("粤", "A"),) * 30,
    *(("粤", "E"),) * 3,  # 佛山
    *(("粤", "B"),) * 2,  # 深圳
    *(("粤", "S"),) * 2,  # 东莞
    ("粤", "R"),  # 清远
    ("粤", "T"),  # 中山
    ("粤", "H"),  # 肇庆
    ("粤", "J"),  # 江门
    ("粤", "C"),  # 珠海
    ("粤", "L"),  # 惠州
    ("湘", "A"),
    ("桂", "A"),
    ("赣", "A"),
    ("闽", "D"),
    ("川", "A"),
    ("鄂", "A"),
)

# What the customer says at the desk, in their own words, with an English rendering.
CONCERNS: Final[tuple[tuple[str, str], ...]] = (
    ("做5000公里保养", "Due for the 5,000 km service"),
    ("做常规保养，换机油机滤", "Routine service, change oil and filter"),
    ("首保", "First free service"),
    ("保养灯亮了，该保养了", "Service reminder is on, due for a service"),
    ("刹车时有异响", "Noise when braking"),
    ("刹车踩下去发软", "Brake pedal feels soft"),
    ("刹车时方向盘抖", "Steering wheel shakes when braking"),
    ("空调不凉", "Air conditioning is not cold"),
    ("空调有异味", "Air conditioning smells"),
    ("空调出风量小", "Weak airflow from the vents"),
    ("仪表盘发动机故障灯亮", "Engine warning light on the dashboard"),
    ("仪表盘胎压报警", "Tyre pressure warning on the dashboard"),
    ("ABS灯亮", "ABS light is on"),
    ("安全气囊灯亮", "Airbag light is on"),
    ("方向盘抖动", "Steering wheel vibrates"),
    ("跑高速方向盘发抖", "Steering wheel shakes at motorway speed"),
    ("车子跑偏", "Car pulls to one side"),
    ("方向盘不正", "Steering wheel is off-centre"),
    ("过减速带底盘有异响", "Knocking from underneath over speed bumps"),
    ("转弯时有咔咔声", "Clicking noise when turning"),
    ("起步时车身抖", "Car judders when pulling away"),
    ("怠速抖动厉害", "Rough idle"),
    ("冷车不好启动", "Hard to start when cold"),
    ("打不着火", "Engine will not start"),
    ("加速无力", "Lack of power when accelerating"),
    ("油耗突然变高", "Fuel consumption has suddenly gone up"),
    ("变速箱换挡顿挫", "Jerky gear changes"),
    ("离合器打滑", "Clutch slipping"),
    ("发动机漏油", "Engine is leaking oil"),
    ("车底下滴水", "Water dripping under the car"),
    ("水温高报警", "High coolant temperature warning"),
    ("排气管冒白烟", "White smoke from the exhaust"),
    ("左前轮胎扎了钉子", "Nail in the front left tyre"),
    ("轮胎磨得很厉害，想换轮胎", "Tyres are badly worn, wants new tyres"),
    ("右侧大灯不亮", "Right headlamp is out"),
    ("刹车灯不亮", "Brake light not working"),
    ("雨刮刮不干净", "Wipers leave streaks"),
    ("电瓶没电，搭电才着", "Battery flat, needed a jump start"),
    ("车窗升不上去", "Window will not go up"),
    ("中控屏黑屏", "Centre display is blank"),
    ("倒车雷达一直响", "Parking sensor beeps constantly"),
    ("遥控钥匙失灵", "Remote key not working"),
    ("停车时被刮了，前保险杠要补漆", "Scraped while parked, front bumper needs paint"),
    ("追尾了，后保险杠撞坏", "Rear-ended, rear bumper damaged"),
    ("左前门有凹陷", "Dent in the front left door"),
    ("前挡风玻璃被石子打裂", "Windscreen cracked by a stone"),
    ("天窗漏水", "Sunroof leaks"),
    ("充电充不进去", "Car will not charge"),
    ("续航明显下降", "Range has dropped noticeably"),
    ("仪表提示动力电池故障", "Dashboard shows a high-voltage battery fault"),
    ("收到召回通知", "Received a recall notice"),
    ("出远门前全车检查一下", "Full check before a long trip"),
    ("年检前检查", "Check before the annual inspection"),
    ("新车交车前检查", "Pre-delivery check for a new car"),
)


# --------------------------------------------------------------------------- generators

# Mainland mobile prefixes in use (13x/15x/17x/18x/19x); 154 and 174 are not issued
# to the public, 170/171 are MVNO ranges and still valid numbers.
MOBILE_PREFIXES: Final[tuple[str, ...]] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "170", "171", "173", "175", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189",
    "191", "193", "195", "196", "197", "198", "199",
)  # fmt: skip

# VIN position 10: model year (ISO 3779 cycle, no I, O, Q, U, Z or 0).
MODEL_YEAR_CODES: Final[dict[int, str]] = {
    # 2001-2009 are the digits: a ten-year demo's oldest cars were sold in 2007
    **{year: str(year - 2000) for year in range(2001, 2010)},
    2010: "A", 2011: "B", 2012: "C", 2013: "D",
    2014: "E", 2015: "F", 2016: "G", 2017: "H", 2018: "J", 2019: "K", 2020: "L",
    2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T",
    2027: "V", 2028: "W", 2029: "X", 2030: "Y",
}  # fmt: skip

_PLATE_LETTERS: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, no O
_DIGITS: Final = "0123456789"
_VIN_CHARS: Final = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_VIN_VDS_LETTERS: Final = "ABCDEFGHJKLMNPRSTUVWXYZ"

# Zipf-like weights: the n-th surname is about 1/(n + 4) as common.
_SURNAME_WEIGHTS: Final = tuple(itertools.accumulate(1.0 / (i + 4) for i in range(len(SURNAMES))))


def random_person_name(rng: random.Random) -> str:
    """A plausible mainland name: surname plus one or (mostly) two given-name characters."""
    surname = rng.choices(SURNAMES, cum_weights=_SURNAME_WEIGHTS)[0]
    count = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(GIVEN_CHARS) for _ in range(count))


def random_mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real prefix, no separators."""
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice(_DIGITS) for _ in range(8))


def random_plate(rng: random.Random, new_energy: bool) -> str:
    """A normalised civilian plate, weighted towards Guangzhou (``PROVINCE_CITY_CODES``).

    Ordinary plates have five serial characters, mostly digits with at most two letters
    (never I or O); new-energy plates have D (battery) or F (plug-in hybrid) and five digits.
    """
    province, city = rng.choice(PROVINCE_CITY_CODES)
    if new_energy:
        mark = "D" if rng.random() < 0.7 else "F"
        return province + city + mark + "".join(rng.choice(_DIGITS) for _ in range(5))
    roll = rng.random()
    letters = 0 if roll < 0.6 else 1 if roll < 0.9 else 2
    serial = [rng.choice(_DIGITS) for _ in range(5)]
    for position in rng.sample(range(5), letters):
        serial[position] = rng.choice(_PLATE_LETTERS)
    return province + city + "".join(serial)


def random_vin_body(
    rng: random.Random, model: VehicleModel, *, model_year: int | None = None
) -> str:
    """17 VIN characters starting with the model's WMI, check digit still a placeholder.

    Position 9 is ``'0'``; set it with ``validation.with_check_digit``. Position 10 is the
    model year (``model_year`` if given and known, otherwise 2016 to 2026), position 11 a
    plant code and 12-17 a numeric serial, as large manufacturers use.
    """
    vds = [rng.choice(_VIN_CHARS) for _ in range(5)]
    vds[0] = rng.choice(_VIN_VDS_LETTERS)  # VDS usually opens with a line/body letter
    if model_year is not None and model_year in MODEL_YEAR_CODES:
        year = MODEL_YEAR_CODES[model_year]
    else:
        year = MODEL_YEAR_CODES[rng.randint(2016, 2026)]
    plant = rng.choice(_VIN_CHARS)
    serial = "".join(rng.choice(_DIGITS) for _ in range(6))
    body = model.wmi + "".join(vds) + "0" + year + plant + serial
    return body


def model_year_of(vin: str) -> int | None:
    """The model year a demo VIN's 10th character gives (ISO 3779, 2001-2030: the demo's cars)."""
    code = vin[9:10]
    return next((year for year, c in MODEL_YEAR_CODES.items() if c == code), None)


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class LaborOpRow:
    code: str
    name_zh: str
    name_en: str
    category: str
    std_hours: Decimal
    safety: bool


@dataclass(frozen=True)
class PartRow:
    number: str
    name_zh: str
    name_en: str
    category: str
    unit: str
    price: Decimal
    stock: int
    bin: str


_CATALOG_PACKAGE: Final = "frontdesk"
_LABOR_HEADER: Final = ("code", "name_zh", "name_en", "category", "std_hours", "safety")
_PARTS_HEADER: Final = ("number", "name_zh", "name_en", "category", "unit", "price", "stock", "bin")


def _read_catalog(filename: str, header: tuple[str, ...]) -> list[dict[str, str]]:
    resource = resources.files(_CATALOG_PACKAGE).joinpath("assets").joinpath("catalog")
    text = resource.joinpath(filename).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != header:
        raise ValueError(f"{filename}: expected header {header}, got {reader.fieldnames}")
    return list(reader)


def _decimal(value: str, filename: str, line: int) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{filename} line {line}: {value!r} is not a decimal") from None


def load_labor_operations() -> list[LaborOpRow]:
    """Every labour operation of ``assets/catalog/labor_operations.csv``, in file order."""
    filename = "labor_operations.csv"
    rows = []
    for line, raw in enumerate(_read_catalog(filename, _LABOR_HEADER), start=2):
        if raw["safety"] not in ("0", "1"):
            raise ValueError(f"{filename} line {line}: safety must be 0 or 1")
        rows.append(
            LaborOpRow(
                code=raw["code"],
                name_zh=raw["name_zh"],
                name_en=raw["name_en"],
                category=raw["category"],
                std_hours=_decimal(raw["std_hours"], filename, line),
                safety=raw["safety"] == "1",
            )
        )
    return rows


def load_parts() -> list[PartRow]:
    """Every part of ``assets/catalog/parts.csv``, in file order (prices tax-inclusive CNY)."""
    filename = "parts.csv"
    rows = []
    for line, raw in enumerate(_read_catalog(filename, _PARTS_HEADER), start=2):
        rows.append(
            PartRow(
                number=raw["number"],
                name_zh=raw["name_zh"],
                name_en=raw["name_en"],
                category=raw["category"],
                unit=raw["unit"],
                price=_decimal(raw["price"], filename, line),
                stock=int(raw["stock"]),
                bin=raw["bin"],
            )
        )
    return rows
