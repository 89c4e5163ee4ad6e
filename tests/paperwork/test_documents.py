"""The document dataclasses: strict about money and closed sets, in step with the model's enums."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from decimal import Decimal

import pytest

from frontdesk.paperwork import car_diagram, labels
from frontdesk.paperwork import documents as d
from frontdesk.paperwork import formatting as fmt

from . import factories


def test_money_must_be_decimal() -> None:
    line = factories.base_lines()[0]
    with pytest.raises(TypeError, match=r"must be Decimal \(never float\), got float"):
        replace(line, unit_price=180.0)
    assert replace(line, discount=0).discount == Decimal(0)


def test_closed_sets_are_checked() -> None:
    with pytest.raises(ValueError, match="pay_type: 'cash' is not one of"):
        replace(factories.base_lines()[0], pay_type="cash")
    with pytest.raises(ValueError, match="panel"):
        d.PanelMark(panel="door", damage="dent")
    with pytest.raises(ValueError, match="fuel_eighths"):
        replace(factories.vehicle(), fuel_eighths=9)


def test_documents_are_frozen_and_lists_become_tuples() -> None:
    doc = factories.work_order()
    assert isinstance(doc.lines, tuple)
    doc2 = replace(doc, concerns=["a", "b"])
    assert doc2.concerns == ("a", "b")
    with pytest.raises(FrozenInstanceError):
        doc.order_no = "x"  # type: ignore[misc]


def test_settlement_sums() -> None:
    doc = factories.settlement()
    assert doc.paid == doc.totals.customer_payable
    assert doc.balance_due == 0
    refund = d.PaymentInfo(method="cash", amount=Decimal("10.00"), tendered=None, change=None,
                           at=doc.settled_at, kind="refund")
    assert replace(doc, payments=doc.payments + (refund,)).balance_due == Decimal("10.00")


def test_totals_helpers() -> None:
    totals = factories.work_order().totals
    assert totals.grand_total == totals.net
    assert totals.for_pay_type("customer").net == totals.customer_payable
    assert totals.for_pay_type("internal") is None
    excl = replace(totals, prices_include_tax=False)
    assert excl.grand_total == totals.net + totals.tax


def test_gate_pass_release_rule() -> None:
    assert factories.gate_pass().release_allowed
    assert factories.gate_pass(paid=False, credit_approved_by="赵").release_allowed
    assert not factories.gate_pass(paid=False).release_allowed
    assert not factories.gate_pass(paid=False, credit_approved_by="").release_allowed


def test_every_value_has_a_label_and_a_shape() -> None:
    assert set(labels.PAY_TYPES) == set(d.PAY_TYPES)
    assert set(labels.PAYMENT_METHODS) == set(d.PAYMENT_METHODS)
    assert set(labels.DAMAGES) == set(d.DAMAGES) == set(d.DAMAGE_CODES)
    assert len(set(d.DAMAGE_CODES.values())) == len(d.DAMAGES)
    assert set(labels.PANELS) == set(d.PANELS) == set(car_diagram.PANELS)
    assert set(labels.OLD_PARTS) == set(d.OLD_PARTS)
    assert set(labels.LINE_KINDS) == set(d.LINE_KINDS)
    assert set(labels.ORIGINS) == set(d.ORIGINS)
    assert set(labels.PAYER_NOTES) == set(d.PAY_TYPES) - d.CUSTOMER_PAY_TYPES


def test_values_match_the_model_enums() -> None:
    """The service layer passes the model's values straight through: they must be the same."""
    enums = pytest.importorskip("frontdesk.model.enums")
    assert set(d.PAY_TYPES) == {e.value for e in enums.PayType}
    assert set(d.PAYMENT_METHODS) == {e.value for e in enums.PaymentMethod}
    assert set(d.OLD_PARTS) == {e.value for e in enums.OldParts}
    assert set(d.DAMAGES) == {e.value for e in enums.Damage}
    assert set(d.PANELS) == {e.value for e in enums.Panel}
    assert set(d.ORIGINS) == {e.value for e in enums.JobOrigin}


def test_iter_text_reaches_nested_strings() -> None:
    texts = d.iter_text(factories.settlement())
    assert "中国人民财产保险股份有限公司广州市分公司" in texts
    assert "上汽大众" in texts


def test_car_diagram_codes() -> None:
    marks = factories.checkin_sheet().marks
    codes = car_diagram.codes_by_panel(marks)
    assert codes["rear_right_door"] == "A B"
    assert codes["windscreen"] == "C"


@pytest.mark.parametrize(("value", "text"), [
    ("1234.5", "¥1,234.50"), ("0", "¥0.00"), ("-50", "-¥50.00"), ("1000000.005", "¥1,000,000.01"),
])
def test_money_format(value: str, text: str) -> None:
    assert fmt.money(Decimal(value)) == text


@pytest.mark.parametrize(("value", "text"), [
    ("1234.50", "壹仟贰佰叁拾肆元伍角整"),
    ("2604.60", "贰仟陆佰零肆元陆角整"),
    ("0.05", "伍分"),
    ("0", "零元整"),
    ("100000", "壹拾万元整"),
    ("100500.07", "壹拾万零伍佰元零柒分"),
    ("1005", "壹仟零伍元整"),
    ("1010", "壹仟零壹拾元整"),
    ("12.34", "壹拾贰元叁角肆分"),
    ("105000000.01", "壹亿零伍佰万元零壹分"),
    ("-3.10", "负叁元壹角整"),
])
def test_amount_in_chinese_capitals(value: str, text: str) -> None:
    assert fmt.rmb_upper(Decimal(value)) == text


def test_quantities_drop_trailing_zeros() -> None:
    assert [fmt.quantity(Decimal(v)) for v in ("1.50", "4.00", "0.30", "100")] == ["1.5", "4", "0.3", "100"]
