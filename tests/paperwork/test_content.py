"""Every field of each document, and the exact totals, are in the PDF's text — in both languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from frontdesk.i18n import translator
from frontdesk.paperwork import formatting as fmt
from frontdesk.paperwork.documents import DAMAGE_CODES
from frontdesk.paperwork.labels import DAMAGES, OLD_PARTS, PANELS, PAY_TYPES, PAYER_NOTES, PAYMENT_METHODS

from . import factories
from .pdfcheck import missing_texts, page_texts, squash


def party_texts(person: object) -> list[str]:
    return [person.name, person.phone]  # type: ignore[attr-defined]


def vehicle_texts(v: object) -> list[str]:
    return [v.plate, v.vin, v.make, v.model, v.colour, fmt.km(v.odometer_km)]  # type: ignore[attr-defined]


def expected_work_order(lang: str) -> list[str]:
    _ = translator(lang)
    doc = factories.work_order()
    t = doc.totals
    out = [
        _("Work order"), doc.order_no, doc.store.name, doc.store.address, doc.store.phone,
        doc.store.tax_id, doc.advisor, doc.advisor_phone, fmt.when(doc.checked_in_at),
        fmt.when(doc.promised_at), *party_texts(doc.customer), *party_texts(doc.brought_by),
        *vehicle_texts(doc.vehicle), fmt.fuel(doc.vehicle.fuel_eighths), doc.vehicle.engine_no,
        *doc.concerns, _(PAYMENT_METHODS["wechat"]), _(OLD_PARTS["take"]), _("Free car wash"),
        doc.remarks, doc.signed_by, fmt.when(doc.signed_at),
        _("Customer signature"), _("Service advisor signature"),
        _("Any work beyond this order found during the repair is carried out only after the "
          "customer has been told the reason, the price and the time it adds, and has agreed; "
          "work the customer did not agree to is neither done nor charged."),
        # totals: per pay type, tax share, grand total, the customer's share
        fmt.money(t.grand_total), fmt.money(t.tax), fmt.money(t.customer_payable),
        fmt.money(t.labor), fmt.money(t.parts), fmt.money(-t.discount),
        _("of which VAT ({rate}%)").format(rate="13"),
    ]
    for sub in t.by_pay_type:
        out += [_(PAY_TYPES[sub.pay_type]), fmt.money(sub.net), fmt.money(sub.tax)]
    for line in doc.lines:
        out += [line.code, line.description, fmt.money(line.unit_price), fmt.money(line.amount)]
    return out


def expected_checkin_sheet(lang: str) -> list[str]:
    _ = translator(lang)
    doc = factories.checkin_sheet()
    out = [
        _("Check-in sheet"), doc.order_no, doc.store.name, doc.advisor, fmt.when(doc.checked_in_at),
        *party_texts(doc.customer), *party_texts(doc.brought_by), *vehicle_texts(doc.vehicle),
        fmt.fuel(doc.vehicle.fuel_eighths), *doc.warning_lights, doc.valuables, doc.photos_ref,
        *doc.concerns, doc.notes, doc.signed_by, _("Protective covers fitted"), _("Spare tyre"),
        _("Tool kit"), _("Warning triangle"), _("Damage codes"),
        *[item.label for item in doc.extra_checks],
    ]
    for mark in doc.marks:
        out += [_(PANELS[mark.panel]), f"{DAMAGE_CODES[mark.damage]} {_(DAMAGES[mark.damage])}", mark.note]
    return out


def expected_settlement(lang: str) -> list[str]:
    _ = translator(lang)
    doc = factories.settlement()
    t = doc.totals
    out = [
        _("Settlement statement"), doc.order_no, doc.store.name, doc.advisor, doc.cashier,
        fmt.when(doc.settled_at), fmt.when(doc.checked_in_at), *party_texts(doc.customer),
        *vehicle_texts(doc.vehicle),
        # what the customer pays, what others pay, discount, tax
        fmt.money(t.customer_payable), fmt.money(t.grand_total), fmt.money(-t.discount),
        fmt.money(t.for_pay_type("customer").tax), fmt.money(t.tax),
        _(PAYER_NOTES["warranty"]), _(PAYER_NOTES["insurance"]),
        # payments and change
        fmt.money(doc.paid), _(PAYMENT_METHODS["wechat"]), _(PAYMENT_METHODS["cash"]),
        _("Paid in full"), _("Change given"),
        # declined recommendations, safety marked, acknowledgement
        _("Safety-related"), "李建国",
        # what comes next
        fmt.day(doc.next_service_date), fmt.km(doc.next_service_km), fmt.when(doc.follow_up_at),
        *doc.care_notes, _("Customer signature"), _("Cashier signature"),
    ]
    for p in doc.payments:
        out += [fmt.money(p.amount), p.reference]
        if p.change is not None:
            out += [fmt.money(p.tendered), fmt.money(p.change)]
    for r in doc.receivables:
        out += [r.payer, r.reference, fmt.money(r.amount)]
    for rec in doc.declined:
        out.append(rec.description)
    for sub in t.by_pay_type:
        out += [_(PAY_TYPES[sub.pay_type]), fmt.money(sub.net)]
    for line in doc.lines:
        out += [line.code, line.description, fmt.money(line.net)]
    if lang == "zh_CN":
        out.append(fmt.rmb_upper(t.customer_payable))
    return out


def expected_gate_pass(lang: str) -> list[str]:
    _ = translator(lang)
    doc = factories.gate_pass()
    return [_("Gate pass"), doc.store.name, doc.order_no, doc.plate, doc.model, doc.colour,
            fmt.when(doc.issued_at), fmt.when(doc.valid_until), doc.cashier, _("Paid")]


EXPECTED: dict[str, Callable[[str], list[str]]] = {
    "work-order": expected_work_order,
    "checkin-sheet": expected_checkin_sheet,
    "settlement": expected_settlement,
    "gate-pass": expected_gate_pass,
}


def test_every_field_is_printed(rendered: Callable[[str, str], Path], kind: str, lang: str) -> None:
    path = rendered(kind, lang)
    assert not missing_texts(path, EXPECTED[kind](lang))


def test_file_is_named_after_order_and_document(rendered: Callable[[str, str], Path], kind: str,
                                                lang: str) -> None:
    suffix = "" if lang == "zh_CN" else "-en"
    assert rendered(kind, lang).name == f"{factories.ORDER_NO}-{kind}{suffix}.pdf"


@pytest.mark.parametrize(("kind", "words"), [
    ("work-order", ["任务委托书", "客户描述（客户原话）", "维修项目", "自费", "保修", "保险", "微信支付",
                    "旧件客户带走", "其中增值税（13%）", "第1页，共2页"]),
    ("checkin-sheet", ["接车登记表", "环车检查", "前保险杠", "A划痕", "B凹陷", "C石击/掉漆", "D破裂",
                       "三件套已铺设", "第1页，共1页"]),
    ("settlement", ["结算单", "客户应付", "由厂家保修结算，客户无需支付", "涉及安全", "大写金额", "找零",
                    "下次保养"]),
    ("gate-pass", ["出门证", "车牌号", "已付清"]),
])
def test_chinese_is_the_default_language(tmp_path: Path, kind: str, words: list[str]) -> None:
    """Called without ``lang``, a document is in Simplified Chinese, with Chinese labels."""
    from .conftest import RENDERERS

    render, make = RENDERERS[kind]
    path = render(make(), tmp_path)
    assert not missing_texts(path, words)


def test_english_document_has_no_chinese_labels(rendered: Callable[[str, str], Path], kind: str) -> None:
    """Every label is translated: English text holds Chinese only where the data is Chinese."""
    from frontdesk.paperwork.documents import iter_text

    from .conftest import RENDERERS

    data = squash("".join(iter_text(RENDERERS[kind][1]())))
    text = squash("".join(page_texts(rendered(kind, "en"))))
    stray = {ch for ch in text if "\u4e00" <= ch <= "\u9fff" and ch not in data}
    assert not stray, f"Chinese characters not from the data: {''.join(sorted(stray))}"


def test_work_order_without_signature_leaves_the_box_empty(tmp_path: Path) -> None:
    from frontdesk.paperwork import render_work_order

    path = render_work_order(factories.work_order(signed_by=None, signed_at=None, brought_by=None,
                                                  payment_method=None, promised_at=None), tmp_path, "en")
    text = squash("".join(page_texts(path)))
    assert squash("Signed:") not in text
    assert squash("same as the customer") in text
    assert squash("to be confirmed") in text


def test_settlement_on_credit_shows_the_approver_and_balance(tmp_path: Path) -> None:
    from frontdesk.paperwork import render_settlement

    doc = factories.settlement(payments=(), credit_approved_by="赵志强（服务经理）")
    path = render_settlement(doc, tmp_path, "zh_CN")
    assert not missing_texts(path, ["挂账（批准人：赵志强（服务经理））", fmt.money(doc.totals.customer_payable),
                                    "尚未收款"])


def test_first_service_note_only_when_it_applies(tmp_path: Path) -> None:
    from frontdesk.paperwork import render_settlement

    first = render_settlement(factories.settlement(first_service=True), tmp_path / "a", "zh_CN")
    other = render_settlement(factories.settlement(first_service=False), tmp_path / "b", "zh_CN")
    assert not missing_texts(first, ["首保说明"])
    assert missing_texts(other, ["首保说明"]) == ["首保说明"]


def test_unacknowledged_safety_item_gets_a_box_to_sign(tmp_path: Path) -> None:
    from frontdesk.paperwork import render_settlement

    path = render_settlement(factories.settlement(), tmp_path, "en")
    text = squash("".join(page_texts(path)))
    # the second declined item is safety-related and not yet acknowledged
    assert squash("Signature:") in text
    assert squash("accepts the risk") in text
