"""Desk input validation: VINs, plates, mobile numbers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frontdesk import i18n
from frontdesk.services.errors import ValidationError
from frontdesk.services.validation import (
    PROVINCES,
    SPECIAL_PLATE_SUFFIXES,
    VIN_TRANSLITERATION,
    VIN_WEIGHTS,
    VinCheck,
    format_plate,
    is_new_energy_plate,
    normalise_phone,
    normalise_plate,
    normalise_vin,
    phone_search_key,
    plate_search_key,
    vin_check_digit,
    with_check_digit,
)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English whatever the default interface language is."""
    previous = i18n.current_language()
    i18n.set_language("en")
    yield
    i18n.set_language(previous)


def _error(func, raw: str) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        func(raw)
    return info.value


# --------------------------------------------------------------------------- VIN


def test_vin_tables() -> None:
    assert len(VIN_WEIGHTS) == 17
    assert VIN_WEIGHTS[8] == 0
    assert not set("IOQ") & set(VIN_TRANSLITERATION)
    assert len(VIN_TRANSLITERATION) == 33  # 10 digits + 23 letters


@pytest.mark.parametrize(
    ("vin", "digit"),
    [
        ("1M8GDM9AXKP042788", "X"),  # the textbook example, remainder 10
        ("1HGCM82633A004352", "3"),
        ("11111111111111111", "1"),
        ("LSVAU033612345678", "6"),  # worked by hand: 281 mod 11 = 6
    ],
)
def test_known_check_digits(vin: str, digit: str) -> None:
    assert vin_check_digit(vin) == digit
    check = normalise_vin(vin)
    assert check == VinCheck(vin=vin, check_digit_ok=True, expected=digit)


def test_check_digit_ignores_position_9() -> None:
    assert vin_check_digit("1M8GDM9A0KP042788") == "X"
    assert vin_check_digit("1M8GDM9A*KP042788") == "X"
    assert with_check_digit("LSVAU033512345678") == "LSVAU033612345678"
    assert with_check_digit("lsvau033512345678") == "LSVAU033612345678"


def test_check_digit_rejects_non_vin_strings() -> None:
    with pytest.raises(ValueError):
        vin_check_digit("1M8GDM9AXKP04278")
    with pytest.raises(ValueError):
        vin_check_digit("1M8GDM9AXKP04278O")


def test_vin_mismatch_is_not_an_error() -> None:
    check = normalise_vin("LSVAU033512345678")
    assert check.vin == "LSVAU033512345678"
    assert check.check_digit_ok is False
    assert check.expected == "6"


@pytest.mark.parametrize(
    "raw",
    [
        "1m8gdm9axkp042788",
        " 1M8 GDM9AX KP042788 ",
        "1M8-GDM9AX-KP042788",
        "１Ｍ８ＧＤＭ９ＡＸＫＰ０４２７８８",  # full width, as some IMEs produce
        "1M8GDM9AXKP042788\n",
    ],
)
def test_vin_normalisation(raw: str) -> None:
    assert normalise_vin(raw).vin == "1M8GDM9AXKP042788"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter the VIN"),
        ("   ", "Enter the VIN"),
        ("1M8GDM9AXKP04278", "16 characters instead of 17"),
        ("1M8GDM9AXKP0427888", "18 characters instead of 17"),
        ("1M8GDM9AXKPO42788", "I, O or Q"),
        ("IM8GDM9AXKP042788", "I, O or Q"),
        ("1M8GDM9AXKP04278Q", "I, O or Q"),
        ("1M8GDM9AXKP04278#", "invalid character '#'"),
        ("1M8GDM9AXKP04278é", "invalid character"),
    ],
)
def test_vin_errors(raw: str, fragment: str) -> None:
    error = _error(normalise_vin, raw)
    assert error.field == "vin"
    assert fragment in error.message


_VIN_CHARS = sorted(VIN_TRANSLITERATION)


@given(st.text(alphabet=_VIN_CHARS, min_size=17, max_size=17))
def test_with_check_digit_always_verifies(body: str) -> None:
    vin = with_check_digit(body)
    check = normalise_vin(vin)
    assert check.check_digit_ok
    assert check.vin == vin
    assert vin[:8] == body[:8] and vin[9:] == body[9:]


@given(st.text(alphabet=_VIN_CHARS, min_size=17, max_size=17), st.data())
def test_vin_round_trip(vin: str, data: st.DataObject) -> None:
    once = normalise_vin(vin)
    assert normalise_vin(once.vin) == once
    messy = "".join(
        ch.lower() + data.draw(st.sampled_from(["", "", " ", "-"])) for ch in vin
    )
    assert normalise_vin(messy) == once
    assert once.check_digit_ok == (vin[8] == vin_check_digit(vin))


@given(st.text())
def test_vin_never_crashes(raw: str) -> None:
    try:
        check = normalise_vin(raw)
    except ValidationError as error:
        assert error.field == "vin"
    else:
        assert len(check.vin) == 17
        assert normalise_vin(check.vin) == check


# --------------------------------------------------------------------------- plates


@pytest.mark.parametrize(
    ("raw", "plate", "new_energy"),
    [
        ("粤B12345", "粤B12345", False),
        ("京A88888", "京A88888", False),
        ("沪AD1234", "沪AD1234", False),  # ordinary plate whose serial starts with D
        ("川AZ9Y8X", "川AZ9Y8X", False),
        ("粤BD12345", "粤BD12345", True),  # small new-energy vehicle
        ("京AF12345", "京AF12345", True),
        ("粤B12345D", "粤B12345D", True),  # large new-energy vehicle
        ("苏E12345F", "苏E12345F", True),
        ("粤B1234学", "粤B1234学", False),
        ("鲁B1234挂", "鲁B1234挂", False),
        ("京A1234警", "京A1234警", False),
        ("粤Z1234港", "粤Z1234港", False),
        ("粤Z1234澳", "粤Z1234澳", False),
    ],
)
def test_valid_plates(raw: str, plate: str, new_energy: bool) -> None:
    assert normalise_plate(raw) == plate
    assert is_new_energy_plate(plate) is new_energy
    assert normalise_plate(format_plate(plate)) == plate


@pytest.mark.parametrize(
    "raw",
    [
        "粤b12345",
        " 粤B 12345 ",
        "粤B·12345",
        "粤B•12345",
        "粤B.12345",
        "粤B-12345",
        "粤B_12345",
        "粤Ｂ１２３４５",
        "粤\u3000B12345",  # ideographic space
    ],
)
def test_plate_normalisation(raw: str) -> None:
    assert normalise_plate(raw) == "粤B12345"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter the plate"),
        (" · ", "Enter the plate"),
        ("AB12345", "province character"),
        ("台A12345", "'台' is not a province"),
        ("使A12345", "'使' is not a province"),
        ("粤", "city letter after the province is missing"),
        ("粤112345", "city letter"),
        ("粤I12345", "letters I or O"),
        ("粤BI2345", "letters I or O"),
        ("粤B12O45", "letters I or O"),
        ("粤B1234", "6 characters"),
        ("粤B1", "3 characters"),
        ("粤B1234567", "9 characters"),
        ("粤B123456", "new-energy plate"),
        ("粤BA12345", "new-energy plate"),
        ("粤B12#45", "invalid character '#'"),
        ("粤B123学4", "last character of a 7-character plate"),
        ("粤BD1234学", "last character of a 7-character plate"),
        ("粤B123学", "last character of a 7-character plate"),
    ],
)
def test_plate_errors(raw: str, fragment: str) -> None:
    error = _error(normalise_plate, raw)
    assert error.field == "plate"
    assert fragment in error.message


def test_plate_helpers() -> None:
    assert plate_search_key("粤b·12") == "粤B12"
    assert plate_search_key("ｂｄ 1") == "BD1"
    assert plate_search_key("") == ""
    assert format_plate("粤B12345") == "粤B·12345"
    assert format_plate("粤BD12345") == "粤B·D12345"
    assert format_plate("粤b 12345") == "粤B·12345"
    assert format_plate("粤") == "粤"
    assert is_new_energy_plate("粤B·D12345")
    assert not is_new_energy_plate("粤B12345")
    assert not is_new_energy_plate("")


_SERIAL = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
_SEPARATORS = ["", "", "", " ", "·", "-", "."]


@st.composite
def plates(draw: st.DrawFn) -> str:
    head = draw(st.sampled_from(PROVINCES)) + draw(st.sampled_from(_SERIAL[:24]))
    kind = draw(st.sampled_from(["ordinary", "special", "small_nev", "large_nev"]))
    if kind == "ordinary":
        tail = "".join(draw(st.lists(st.sampled_from(_SERIAL), min_size=5, max_size=5)))
    elif kind == "special":
        tail = "".join(draw(st.lists(st.sampled_from(_SERIAL), min_size=4, max_size=4)))
        tail += draw(st.sampled_from(SPECIAL_PLATE_SUFFIXES))
    elif kind == "small_nev":
        tail = draw(st.sampled_from("DF"))
        tail += "".join(draw(st.lists(st.sampled_from(_SERIAL), min_size=5, max_size=5)))
    else:
        tail = "".join(draw(st.lists(st.sampled_from(_SERIAL), min_size=5, max_size=5)))
        tail += draw(st.sampled_from("DF"))
    return head + tail


@given(plates(), st.data())
def test_plate_round_trip(plate: str, data: st.DataObject) -> None:
    assert normalise_plate(plate) == plate
    assert normalise_plate(normalise_plate(plate)) == plate
    assert normalise_plate(format_plate(plate)) == plate
    assert format_plate(plate)[2] == "·"
    messy = "".join(ch.lower() + data.draw(st.sampled_from(_SEPARATORS)) for ch in plate)
    assert normalise_plate(messy) == plate
    assert plate_search_key(messy) == plate
    assert is_new_energy_plate(plate) == (len(plate) == 8)


_PLATE_ALPHABET = st.sampled_from(
    list(PROVINCES[:6] + "ABDFIOXZ019" + SPECIAL_PLATE_SUFFIXES + "·- 台#ｂ")
)


@given(st.one_of(st.text(), st.text(alphabet=_PLATE_ALPHABET, max_size=10)))
def test_plate_never_crashes(raw: str) -> None:
    try:
        plate = normalise_plate(raw)
    except ValidationError as error:
        assert error.field == "plate"
    else:
        assert len(plate) in (7, 8)
        assert normalise_plate(plate) == plate
        assert normalise_plate(format_plate(plate)) == plate


@given(st.text())
def test_plate_search_key_is_idempotent(raw: str) -> None:
    key = plate_search_key(raw)
    assert plate_search_key(key) == key
    assert plate_search_key(format_plate(raw)) == key


# --------------------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "raw",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "(138) 1234 5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "(+86) 138-1234-5678",
        "008613812345678",
        "0086 138 1234 5678",
        "8613812345678",
        "１３８１２３４５６７８",
        "＋８６ １３８１２３４５６７８",
    ],
)
def test_phone_normalisation(raw: str) -> None:
    assert normalise_phone(raw) == "13812345678"


@pytest.mark.parametrize("number", ["13012345678", "15912345678", "19987654321", "16600000000"])
def test_valid_mobile_prefixes(number: str) -> None:
    assert normalise_phone(number) == number


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("", "Enter the mobile number"),
        ("  - ", "Enter the mobile number"),
        ("1381234567", "this one has 10"),
        ("138123456789", "this one has 12"),
        ("+86 1381234567", "this one has 10"),
        ("+852 91234567", "mainland China"),
        ("+1 4155550123", "mainland China"),
        ("12812345678", "must start with 13 to 19"),
        ("23812345678", "must start with 13 to 19"),
        ("020-12345678", "must start with 13 to 19"),  # landline: 11 digits, not a mobile
        ("138 1234 567a", "invalid character 'a'"),
        ("138+12345678", "invalid character '+'"),
        ("138/1234/5678", "invalid character '/'"),
    ],
)
def test_phone_errors(raw: str, fragment: str) -> None:
    error = _error(normalise_phone, raw)
    assert error.field == "phone"
    assert fragment in error.message


def test_phone_search_key() -> None:
    assert phone_search_key("138-1234") == "1381234"
    assert phone_search_key("(１３８) 12") == "13812"
    assert phone_search_key("abc") == ""


@given(
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.sampled_from(["", "+86", "+86 ", "0086", "86", "(+86) "]),
    st.data(),
)
def test_phone_round_trip(second: str, rest: str, prefix: str, data: st.DataObject) -> None:
    number = "1" + second + rest
    messy = prefix + "".join(ch + data.draw(st.sampled_from(["", "", " ", "-"])) for ch in number)
    assert normalise_phone(messy) == number
    assert normalise_phone(normalise_phone(messy)) == number
    assert phone_search_key(messy).endswith(number)


@given(st.text())
def test_phone_never_crashes(raw: str) -> None:
    try:
        number = normalise_phone(raw)
    except ValidationError as error:
        assert error.field == "phone"
    else:
        assert len(number) == 11 and number.isascii() and number.isdigit()
        assert normalise_phone(number) == number
