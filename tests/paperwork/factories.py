"""Factories for the paperwork tests (fixtures are in ``conftest.py``): realistic documents of a Guangzhou 4S store.

Totals are computed here the way the money service does (half-up to the fen, VAT inside
tax-inclusive prices), so the tests can assert the exact amounts printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from frontdesk.paperwork.documents import (
    PAY_TYPES,
    CheckinSheetDoc,
    CheckItem,
    DocLine,
    GatePassDoc,
    PanelMark,
    PartyInfo,
    PaymentInfo,
    PayTypeTotal,
    Receivable,
    Recommendation,
    SettlementDoc,
    StoreInfo,
    Totals,
    VehicleInfo,
    WorkOrderDoc,
)

D = Decimal
CENT = D("0.01")
VAT = D("0.13")
ORDER_NO = "RO2026112600012"


def fen(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def store() -> StoreInfo:
    return StoreInfo(
        name="广州粤通汽车销售服务有限公司",
        address="广州市天河区黄埔大道西 668 号粤通汽车城 A 座",
        phone="020-38886666",
        tax_id="91440101MA5CQ8XK0K",
        logo_path=None,
        hotline="400-830-6688",
        bank_account="中国工商银行广州天河支行 3602 0012 0920 0123 456",
    )


def customer() -> PartyInfo:
    return PartyInfo(name="李建国", phone="13800138000")


def brought_by() -> PartyInfo:
    return PartyInfo(name="王芳", phone="13912345678")


def vehicle() -> VehicleInfo:
    return VehicleInfo(
        plate="粤A5M2K8",
        vin="LSVAU2180N2184739",
        make="上汽大众",
        model="帕萨特 330TSI 精英版",
        colour="极地白",
        odometer_km=35612,
        fuel_eighths=5,
        engine_no="DKV284516",
        sale_date=date(2023, 5, 18),
    )


def labor(code: str, text: str, hours: str, rate: str = "180.00", pay_type: str = "customer",
          **kw: object) -> DocLine:
    return DocLine(kind="labor", code=code, description=text, qty_or_hours=D(hours),
                   unit_price=D(rate), amount=fen(D(hours) * D(rate)), pay_type=pay_type, **kw)


def part(code: str, text: str, qty: str, price: str, pay_type: str = "customer", unit: str = "个",
         **kw: object) -> DocLine:
    return DocLine(kind="part", code=code, description=text, qty_or_hours=D(qty),
                   unit_price=D(price), amount=fen(D(qty) * D(price)), pay_type=pay_type,
                   unit=unit, **kw)


def base_lines() -> list[DocLine]:
    """A 25-line order: a 35 000 km service, brakes, a warranty repair and an insurance job."""
    return [
        labor("010101", "更换发动机机油及机油滤清器", "0.5", technician="陈师傅"),
        labor("010305", "更换空气滤清器", "0.3"),
        labor("010306", "更换空调滤清器", "0.3"),
        labor("020301", "四轮定位检测及调整", "1.0"),
        labor("030105", "更换前制动摩擦片（含制动盘检查）", "1.2", safety=True),
        labor("030210", "制动液更换及排空气", "0.8", safety=True, origin="recommended"),
        labor("050101", "发动机故障灯诊断（读取故障码）", "1.0", rate="150.00", pay_type="warranty"),
        labor("050412", "更换点火线圈（第 3 缸）", "0.6", rate="150.00", pay_type="warranty"),
        labor("080220", "右后门钣金修复及喷漆", "6.5", pay_type="insurance"),
        labor("060110", "蓄电池检测", "0.2", origin="additional"),
        part("06L115562B", "机油滤清器", "1", "68.00"),
        part("G052195M4", "全合成机油 5W-30", "4.5", "98.00", unit="L"),
        part("5Q0129620D", "空气滤清器滤芯", "1", "145.00"),
        part("5Q0819653", "空调滤清器（活性炭）", "1", "158.00"),
        part("3Q0698151A", "前制动摩擦片（套）", "1", "680.00", safety=True),
        part("B000750M3", "制动液 DOT4", "1", "85.00", unit="瓶", origin="recommended"),
        part("04E905110K", "点火线圈", "1", "420.00", pay_type="warranty"),
        part("101905601F", "火花塞", "1", "95.00", pay_type="warranty"),
        part("3G5833052", "右后门外板", "1", "1860.00", pay_type="insurance"),
        part("LB9A-PAINT", "面漆（极地白）及辅料", "1", "980.00", pay_type="insurance", unit="套"),
        part("000096311", "车门密封条卡扣", "6", "3.50", pay_type="insurance"),
        part("N90775801", "前轮螺栓", "2", "12.80"),
        part("5Q0955427", "雨刮片（对）", "1", "198.00", origin="recommended"),
        part("000035500", "玻璃清洗液 -25℃", "2", "25.00", unit="瓶"),
        DocLine(kind="other", code="FEE-ENV", description="废油及废旧配件环保处理费",
                qty_or_hours=D("1"), unit_price=D("30.00"), amount=D("30.00"),
                pay_type="customer"),
    ]


def many_lines(n: int) -> list[DocLine]:
    """``n`` lines: the base order repeated with unique codes (a big accident repair)."""
    base = base_lines()
    out: list[DocLine] = []
    for i in range(n):
        line = base[i % len(base)]
        out.append(replace(line, code=f"{line.code}-{i:02d}"))
    return out


def totals_for(lines: Sequence[DocLine], *, order_discount: dict[str, Decimal] | None = None) -> Totals:
    """What the money service computes: sums per pay type, VAT inside the net, half-up."""
    order_discount = order_discount or {}
    by: list[PayTypeTotal] = []
    for pay_type in PAY_TYPES:
        group = [ln for ln in lines if ln.pay_type == pay_type]
        if not group:
            continue
        labor_sum = sum((ln.amount for ln in group if ln.kind == "labor"), D("0.00"))
        parts_sum = sum((ln.amount for ln in group if ln.kind == "part"), D("0.00"))
        other_sum = sum((ln.amount for ln in group if ln.kind == "other"), D("0.00"))
        gross = labor_sum + parts_sum + other_sum
        discount = sum((ln.discount for ln in group), D("0.00")) + order_discount.get(pay_type, D("0.00"))
        net = gross - discount
        tax = fen(net * VAT / (1 + VAT))
        by.append(PayTypeTotal(pay_type=pay_type, labor=labor_sum, parts=parts_sum,
                               other=other_sum, gross=gross, discount=discount, net=net, tax=tax))
    total = lambda attr: sum((getattr(t, attr) for t in by), D("0.00"))  # noqa: E731
    customer_net = next((t.net for t in by if t.pay_type == "customer"), D("0.00"))
    return Totals(by_pay_type=tuple(by), labor=total("labor"), parts=total("parts"),
                  other=total("other"), gross=total("gross"), discount=total("discount"),
                  net=total("net"), tax=total("tax"), customer_payable=customer_net, vat_rate=VAT)


def work_order(lines: Sequence[DocLine] | None = None, **changes: object) -> WorkOrderDoc:
    lines = list(base_lines() if lines is None else lines)
    doc = WorkOrderDoc(
        store=store(),
        order_no=ORDER_NO,
        checked_in_at=datetime(2026, 11, 26, 8, 42),
        promised_at=datetime(2026, 11, 26, 17, 30),
        advisor="张伟",
        advisor_phone="13622226688",
        customer=customer(),
        brought_by=brought_by(),
        vehicle=vehicle(),
        concerns=(
            "早上冷车启动时发动机抖动，仪表上发动机故障灯亮了两天。",
            "刹车时前轮有“吱吱”的异响，踩刹车感觉比以前软。",
            "做 35000 公里保养。",
        ),
        lines=tuple(lines),
        totals=totals_for(lines, order_discount={"customer": D("50.00")}),
        payment_method="wechat",
        old_parts="take",
        wash=True,
        signed_by="王芳",
        signed_at=datetime(2026, 11, 26, 8, 58),
        remarks="客户在休息区等候，完工前电话通知。",
    )
    return replace(doc, **changes) if changes else doc


def checkin_sheet(**changes: object) -> CheckinSheetDoc:
    doc = CheckinSheetDoc(
        store=store(),
        order_no=ORDER_NO,
        checked_in_at=datetime(2026, 11, 26, 8, 42),
        advisor="张伟",
        customer=customer(),
        brought_by=brought_by(),
        vehicle=vehicle(),
        marks=(
            PanelMark(panel="front_bumper", damage="scratch", note="右下角约 5 cm"),
            PanelMark(panel="front_left_door", damage="dent", note="门把手下方"),
            PanelMark(panel="windscreen", damage="chip", note="副驾驶侧石击点"),
            PanelMark(panel="rear_right_door", damage="dent"),
            PanelMark(panel="rear_right_door", damage="scratch", note="事故部位"),
            PanelMark(panel="rear_left_wheel", damage="scratch", note="轮毂刮伤"),
            PanelMark(panel="rear_bumper", damage="crack"),
        ),
        covers_fitted=True,
        warning_lights=("发动机故障灯", "胎压报警灯"),
        valuables="行车记录仪一台；太阳镜一副（已告知客户带走）",
        spare_tyre=True,
        tool_kit=True,
        warning_triangle=False,
        photos_ref="环车照片 12 张，已存微信工作群 RO2026112600012",
        concerns=work_order().concerns,
        signed_by="王芳",
        signed_at=datetime(2026, 11, 26, 8, 50),
        extra_checks=(CheckItem(label="充电线/钥匙数量：2 把", ok=True),
                      CheckItem(label="随车儿童座椅", ok=False, note="无")),
        notes="车内有宠物毛发，客户同意内饰清洁。",
    )
    return replace(doc, **changes) if changes else doc


def settlement(lines: Sequence[DocLine] | None = None, **changes: object) -> SettlementDoc:
    lines = list(base_lines() if lines is None else lines)
    totals = totals_for(lines, order_discount={"customer": D("50.00")})
    payable = totals.customer_payable
    tendered = (payable // 100 + 1) * 100
    by = {t.pay_type: t for t in totals.by_pay_type}
    doc = SettlementDoc(
        store=store(),
        order_no=ORDER_NO,
        settled_at=datetime(2026, 11, 26, 17, 48),
        checked_in_at=datetime(2026, 11, 26, 8, 42),
        advisor="张伟",
        cashier="刘敏",
        customer=customer(),
        vehicle=vehicle(),
        lines=tuple(lines),
        totals=totals,
        payments=(
            PaymentInfo(method="wechat", amount=D("1000.00"), tendered=None, change=None,
                        at=datetime(2026, 11, 26, 17, 45), reference="4200001234202611261745"),
            PaymentInfo(method="cash", amount=payable - D("1000.00"), tendered=tendered - D("1000.00"),
                        change=tendered - payable, at=datetime(2026, 11, 26, 17, 47)),
        ),
        receivables=(
            Receivable(pay_type="warranty", amount=by["warranty"].net, reference="WC-GZ01-2611-0087",
                       payer="上汽大众汽车有限公司"),
            Receivable(pay_type="insurance", amount=by["insurance"].net, reference="RDAA202644010000123456",
                       payer="中国人民财产保险股份有限公司广州市分公司"),
        ),
        declined=(
            Recommendation(description="前减震器渗油，建议更换（左右）", safety=True,
                           acknowledged_by="李建国", acknowledged_at=datetime(2026, 11, 26, 17, 40),
                           estimate=D("2360.00")),
            Recommendation(description="后轮胎花纹深度 2.2 mm，接近磨损极限", safety=True),
            Recommendation(description="节气门清洗", safety=False, estimate=D("280.00")),
        ),
        next_service_date=date(2027, 5, 26),
        next_service_km=45000,
        follow_up_at=datetime(2026, 11, 28, 10, 0),
        first_service=False,
        care_notes=("新换前制动摩擦片，前 200 公里请避免急刹车。",
                    "点火线圈已按保修更换，旧件由厂家回收。"),
        signed_by=None,
        remarks="",
    )
    return replace(doc, **changes) if changes else doc


def gate_pass(**changes: object) -> GatePassDoc:
    doc = GatePassDoc(
        store=store(),
        order_no=ORDER_NO,
        plate="粤A5M2K8",
        model="上汽大众 帕萨特 330TSI 精英版",
        colour="极地白",
        issued_at=datetime(2026, 11, 26, 17, 50),
        valid_until=datetime(2026, 11, 26, 23, 59),
        cashier="刘敏",
        paid=True,
    )
    return replace(doc, **changes) if changes else doc
