"""Money: parsing, rounding, totals and discount authority, exact to the fen."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk import i18n
from frontdesk.model.enums import PayType, Role
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.money import (
    CENT,
    DISCOUNT_AUTHORITY,
    MoneyLine,
    PayTypeTotal,
    Totals,
    check_discount,
    compute_totals,
    format_money,
    labor_amount,
    line_amount,
    max_discount,
    parse_hours,
    parse_money,
    parse_quantity,
    round_money,
    tax_share,
)

D = Decimal
VAT = D("0.13")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


def is_fen(x: Decimal) -> bool:
    return isinstance(x, Decimal) and x.as_tuple().exponent == -2 and x == round_money(x)


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("1.125", "1.13"),
        ("2.675", "2.68"),  # the classic float trap: 2.675 is 2.67499... as a float
        ("-1.125", "-1.13"),
        ("-0.004", "0.00"),
        ("12", "12.00"),
        ("1E+3", "1000.00"),
    ],
)
def test_round_money(value: str, rounded: str) -> None:
    result = round_money(D(value))
    assert result == D(rounded)
    assert str(result) == rounded


def test_floats_are_rejected() -> None:
    with pytest.raises(TypeError):
        round_money(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_money(12.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_quantity(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_hours(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        line_amount(D(1), 9.99)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        labor_amount(1.5, D(300))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tax_share(D(100), 0.13)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        format_money(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compute_totals([], VAT, 5.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        MoneyLine("part", PayType.CUSTOMER, 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        parse_money(True)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", "12.00"),
        ("12.5", "12.50"),
        ("¥1,234.50", "1234.50"),
        (" 3 ", "3.00"),
        ("￥88", "88.00"),
        ("３５０．５", "350.50"),
        ("120元", "120.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        (".5", "0.50"),
        ("12.", "12.00"),
        ("12.500", "12.50"),  # trailing zeros change nothing, so nothing is rounded
        ("1,234,567.89", "1234567.89"),
        (12, "12.00"),
        (D("9.9"), "9.90"),
    ],
)
def test_parse_money(text: str | int | Decimal, value: str) -> None:
    result = parse_money(text)
    assert result == D(value)
    assert is_fen(result)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Enter a number"),
        ("   ", "Enter a number"),
        ("¥", "Enter a number"),
        ("abc", "not a number"),
        ("12a", "not a number"),
        ("1e3", "not a number"),
        ("NaN", "not a number"),
        ("Infinity", "not a number"),
        ("1.2.3", "not a number"),
        ("12.345", "at most 2 decimal places"),
        ("0.001", "at most 2 decimal places"),
        ("-3", "cannot be negative"),
        ("-¥3", "cannot be negative"),
        ("¥-3", "cannot be negative"),
        ("12,5", "commas only between thousands"),
        ("1,23,456", "commas only between thousands"),
        ("123456789012", "too large"),
        (D("NaN"), "not a number"),
        (D("Infinity"), "not a number"),
        (D("1.005"), "at most 2 decimal places"),
        (-1, "cannot be negative"),
    ],
)
def test_parse_money_errors(text: str | int | Decimal, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_money(text, field="unit_price")
    assert info.value.field == "unit_price"
    assert fragment in info.value.message


def test_parse_quantity_and_hours() -> None:
    assert parse_quantity("4") == D("4.00")
    assert parse_quantity("4.5") == D("4.50")
    assert parse_hours("0") == D("0.00")
    assert parse_hours("1.25") == D("1.25")
    assert parse_hours("200") == D("200.00")
    for bad in ("0", "-1", "0.001", "¥2", "x"):
        with pytest.raises(ValidationError) as info:
            parse_quantity(bad)
        assert info.value.field == "quantity"
    for bad in ("-1", "200.01", "1.255", "1h"):
        with pytest.raises(ValidationError) as info:
            parse_hours(bad, field="labor_hours")
        assert info.value.field == "labor_hours"


@given(st.one_of(st.text(), st.text(alphabet="0123456789.,-¥元 ０１", max_size=14)))
def test_parsers_never_crash(text: str) -> None:
    for parse in (parse_money, parse_quantity, parse_hours):
        try:
            value = parse(text)
        except ValidationError:
            continue
        assert is_fen(value)
        assert value >= 0
        assert parse(format_money(value, symbol=False)) == value


@given(st.decimals(min_value=0, max_value=D("99999999.99"), places=2))
def test_format_parse_round_trip(value: Decimal) -> None:
    assert parse_money(format_money(value)) == value
    assert parse_money(format_money(value, symbol=False)) == value
    assert parse_money(str(value)) == value


# --------------------------------------------------------------------------- arithmetic


def test_line_and_labor_amounts() -> None:
    assert line_amount(D("3"), D("33.33")) == D("99.99")
    assert line_amount(D("1.5"), D("0.99")) == D("1.49")  # 1.485 rounds half up
    assert labor_amount(D("1.5"), D("280")) == D("420.00")
    assert labor_amount(D("0.3"), D("333.35")) == D("100.01")  # 100.005
    assert labor_amount(D("0"), D("300")) == D("0.00")


def test_tax_share() -> None:
    assert tax_share(D("113"), D("0.13")) == D("13.00")
    assert tax_share(D("106"), D("0.06")) == D("6.00")
    assert tax_share(D("100"), D("0.13")) == D("11.50")  # 11.504...
    assert tax_share(D("0"), D("0.13")) == D("0.00")
    assert tax_share(D("100"), D("0")) == D("0.00")
    with pytest.raises(ValueError):
        tax_share(D("100"), D("-0.13"))


def test_format_money() -> None:
    assert format_money(D("1234.5")) == "¥1,234.50"
    assert format_money(D("1234.5"), symbol=False) == "1,234.50"
    assert format_money(D("-12")) == "-¥12.00"
    assert format_money(D("-12"), symbol=False) == "-12.00"
    assert format_money(D("0")) == "¥0.00"
    assert format_money(D("-0.001")) == "¥0.00"
    assert format_money(D("1234567.891")) == "¥1,234,567.89"


# --------------------------------------------------------------------------- totals


def _line(kind: str, pay_type: PayType, amount: str) -> MoneyLine:
    return MoneyLine(kind, pay_type, D(amount))  # type: ignore[arg-type]


def test_money_line_checks_its_amount() -> None:
    with pytest.raises(ValueError):
        _line("part", PayType.CUSTOMER, "-1.00")
    with pytest.raises(ValueError):
        _line("part", PayType.CUSTOMER, "1.005")
    with pytest.raises(ValueError):
        _line("paint", PayType.CUSTOMER, "1.00")
    assert _line("labor", "warranty", "5").pay_type is PayType.WARRANTY  # type: ignore[arg-type]


def test_compute_totals_example() -> None:
    lines = [
        _line("labor", PayType.WARRANTY, "300.00"),
        _line("labor", PayType.CUSTOMER, "420.00"),
        _line("part", PayType.CUSTOMER, "259.00"),
        _line("part", PayType.CUSTOMER, "45.50"),
        _line("part", PayType.WARRANTY, "880.00"),
    ]
    totals = compute_totals(lines, VAT, D("24.50"))
    assert list(totals.by_pay_type) == [PayType.CUSTOMER, PayType.WARRANTY]
    assert totals.by_pay_type[PayType.CUSTOMER] == PayTypeTotal(
        pay_type=PayType.CUSTOMER,
        labor=D("420.00"),
        parts=D("304.50"),
        gross=D("724.50"),
        discount=D("24.50"),
        net=D("700.00"),
        tax=D("80.53"),  # 700 * 0.13 / 1.13 = 80.530...
    )
    assert totals.by_pay_type[PayType.WARRANTY] == PayTypeTotal(
        pay_type=PayType.WARRANTY,
        labor=D("300.00"),
        parts=D("880.00"),
        gross=D("1180.00"),
        discount=D("0.00"),
        net=D("1180.00"),
        tax=D("135.75"),  # 1180 * 0.13 / 1.13 = 135.752...
    )
    assert totals.labor == D("720.00")
    assert totals.parts == D("1184.50")
    assert totals.gross == D("1904.50")
    assert totals.discount == D("24.50")
    assert totals.net == D("1880.00")
    assert totals.tax == D("216.28")
    assert totals.customer_payable == D("700.00")


def test_totals_follow_pay_type_declaration_order() -> None:
    lines = [_line("part", pay_type, "1.00") for pay_type in reversed(PayType)]
    assert list(compute_totals(lines, VAT).by_pay_type) == list(PayType)


def test_totals_without_customer_lines() -> None:
    totals = compute_totals([_line("labor", PayType.INTERNAL, "50.00")], VAT)
    assert totals.customer_payable == D("0.00")
    assert PayType.CUSTOMER not in totals.by_pay_type
    with pytest.raises(ValidationError) as info:
        compute_totals([_line("labor", PayType.INTERNAL, "50.00")], VAT, D("1"))
    assert info.value.field == "discount"


def test_empty_order() -> None:
    totals = compute_totals([], VAT)
    assert totals == Totals(
        by_pay_type={},
        labor=D("0.00"),
        parts=D("0.00"),
        gross=D("0.00"),
        discount=D("0.00"),
        net=D("0.00"),
        tax=D("0.00"),
        customer_payable=D("0.00"),
    )


@pytest.mark.parametrize(
    ("discount", "fragment"),
    [
        ("100.01", "more than the customer-paid amount ¥100.00"),
        ("-1", "cannot be negative"),
        ("0.005", "at most 2 decimal places"),
    ],
)
def test_discount_errors(discount: str, fragment: str) -> None:
    lines = [_line("part", PayType.CUSTOMER, "100.00"), _line("part", PayType.WARRANTY, "500")]
    with pytest.raises(ValidationError) as info:
        compute_totals(lines, VAT, D(discount))
    assert info.value.field == "discount"
    assert fragment in info.value.message


def test_discount_may_take_customer_share_to_zero() -> None:
    lines = [_line("part", PayType.CUSTOMER, "100.00"), _line("part", PayType.WARRANTY, "500")]
    totals = compute_totals(lines, VAT, D("100"))
    assert totals.customer_payable == D("0.00")
    assert totals.by_pay_type[PayType.CUSTOMER].tax == D("0.00")
    assert totals.net == D("500.00")


amounts = st.decimals(min_value=0, max_value=D("50000"), places=2)
lines_strategy = st.lists(
    st.builds(
        MoneyLine,
        kind=st.sampled_from(["labor", "part"]),
        pay_type=st.sampled_from(list(PayType)),
        amount=amounts,
    ),
    max_size=25,
)
rates = st.sampled_from([D("0"), D("0.03"), D("0.06"), D("0.09"), D("0.13"), D("0.17")])


@given(lines_strategy, rates, st.data())
def test_totals_properties(lines: list[MoneyLine], rate: Decimal, data: st.DataObject) -> None:
    customer_gross = sum(
        (line.amount for line in lines if line.pay_type is PayType.CUSTOMER), D("0.00")
    )
    discount = data.draw(st.decimals(min_value=0, max_value=customer_gross, places=2))
    totals = compute_totals(lines, rate, discount)

    present = [p for p in PayType if any(line.pay_type is p for line in lines)]
    assert list(totals.by_pay_type) == present

    for pay_type, total in totals.by_pay_type.items():
        mine = [line for line in lines if line.pay_type is pay_type]
        assert total.pay_type is pay_type
        assert total.labor == sum((x.amount for x in mine if x.kind == "labor"), D(0))
        assert total.parts == sum((x.amount for x in mine if x.kind == "part"), D(0))
        assert total.gross == total.labor + total.parts
        assert total.net == total.gross - total.discount
        assert total.tax == tax_share(total.net, rate)
        assert D(0) <= total.tax <= total.net
        assert total.discount == (discount if pay_type is PayType.CUSTOMER else 0)
        for value in (total.labor, total.parts, total.gross, total.discount, total.net, total.tax):
            assert is_fen(value)
            assert value >= 0

    parts = totals.by_pay_type.values()
    assert totals.labor == sum((x.amount for x in lines if x.kind == "labor"), D(0))
    assert totals.parts == sum((x.amount for x in lines if x.kind == "part"), D(0))
    assert totals.gross == sum(x.amount for x in lines)
    assert totals.gross == totals.labor + totals.parts
    assert totals.discount == discount
    assert totals.net == totals.gross - totals.discount
    assert totals.net == sum(t.net for t in parts)
    assert totals.tax == sum(t.tax for t in parts)
    assert D(0) <= totals.tax <= totals.net
    assert totals.customer_payable == customer_gross - discount
    assert totals.customer_payable >= 0
    for value in (
        totals.labor,
        totals.parts,
        totals.gross,
        totals.discount,
        totals.net,
        totals.tax,
        totals.customer_payable,
    ):
        assert is_fen(value)
        assert value >= 0


@given(lines_strategy, rates, st.decimals(min_value=0, max_value=D("1000000"), places=2))
def test_discount_never_exceeds_customer_share(
    lines: list[MoneyLine], rate: Decimal, discount: Decimal
) -> None:
    try:
        totals = compute_totals(lines, rate, discount)
    except ValidationError as error:
        assert error.field == "discount"
        customer = sum((x.amount for x in lines if x.pay_type is PayType.CUSTOMER), D(0))
        assert discount > customer
    else:
        assert totals.customer_payable >= 0


@given(
    st.decimals(min_value=0, max_value=D("9999"), places=2),
    st.decimals(min_value=0, max_value=D("99999"), places=2),
)
def test_line_amount_is_exact_to_the_fen(qty: Decimal, price: Decimal) -> None:
    amount = line_amount(qty, price)
    assert is_fen(amount)
    assert abs(amount - qty * price) <= CENT / 2
    assert labor_amount(qty, price) == amount


@given(st.decimals(min_value=0, max_value=D("1000000"), places=2), rates)
def test_tax_share_bounds(gross: Decimal, rate: Decimal) -> None:
    tax = tax_share(gross, rate)
    assert is_fen(tax)
    assert D(0) <= tax <= gross
    assert abs(tax * (1 + rate) - gross * rate) <= CENT  # within rounding of the exact share


# --------------------------------------------------------------------------- authority


def test_discount_authority_defaults() -> None:
    assert set(DISCOUNT_AUTHORITY) == set(Role)
    assert DISCOUNT_AUTHORITY[Role.ADVISOR] == D("0.05")
    assert DISCOUNT_AUTHORITY[Role.MANAGER] == D("0.20")
    assert DISCOUNT_AUTHORITY[Role.CASHIER] == 0
    assert DISCOUNT_AUTHORITY[Role.ADMIN] == 0
    assert DISCOUNT_AUTHORITY[Role.TECHNICIAN] == 0


def test_max_and_check_discount() -> None:
    advisor = DISCOUNT_AUTHORITY[Role.ADVISOR]
    assert max_discount(D("1234.50"), advisor) == D("61.73")  # 61.725 rounds half up
    check_discount(D("61.73"), D("1234.50"), advisor)
    check_discount(D("0"), D("1234.50"), DISCOUNT_AUTHORITY[Role.CASHIER])
    with pytest.raises(PermissionDenied) as info:
        check_discount(D("61.74"), D("1234.50"), advisor)
    assert str(info.value) == (
        "Discount ¥61.74 exceeds your authority (at most ¥61.73); a manager must approve it."
    )
    with pytest.raises(PermissionDenied):
        check_discount(D("0.01"), D("1234.50"), DISCOUNT_AUTHORITY[Role.CASHIER])
    with pytest.raises(ValidationError):
        check_discount(D("-1"), D("100"), advisor)


@given(
    st.decimals(min_value=0, max_value=D("100000"), places=2),
    st.sampled_from(sorted(set(DISCOUNT_AUTHORITY.values()))),
    st.decimals(min_value=0, max_value=D("100000"), places=2),
)
def test_check_discount_agrees_with_max(base: Decimal, rate: Decimal, discount: Decimal) -> None:
    limit = max_discount(base, rate)
    assert is_fen(limit) and 0 <= limit <= base
    if discount <= limit:
        check_discount(discount, base, rate)
    else:
        with pytest.raises(PermissionDenied):
            check_discount(discount, base, rate)
