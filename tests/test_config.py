"""Settings: file, then environment, then flags; saving keeps an administrator's comments."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from frontdesk.config import Settings, load_settings, save_settings


def test_defaults_are_a_chinese_store():
    s = Settings()
    assert s.language == "zh_CN" and s.vat_rate == Decimal("0.13") and s.follow_up_days == 3
    assert s.labor_rate("customer") == Decimal("180.00") and s.labor_rate("warranty") == Decimal("150.00")


def test_file_env_and_flags_in_that_order(tmp_path, monkeypatch):
    path = tmp_path / "config.toml"
    path.write_text('# our store\nlanguage = "en"\nvat_rate = "0.06"\nfollow_up_days = 2\n'
                    'database_url = "sqlite:///from-file.db"\n[dealership]\nname = "广州示范店"\n'
                    '[labor_rates]\ndefault = "200"\n', "utf-8")
    s = load_settings(path)
    assert s.language == "en" and s.vat_rate == Decimal("0.06") and s.follow_up_days == 2
    assert s.dealership.name == "广州示范店" and s.labor_rate("customer") == Decimal("200")
    monkeypatch.setenv("FRONTDESK_DB", "sqlite:///from-env.db")
    assert load_settings(path).database_url == "sqlite:///from-env.db"
    assert load_settings(path, database_url="sqlite:///from-flag.db").database_url == "sqlite:///from-flag.db"


def test_unknown_setting_is_an_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('vat = "0.13"\n', "utf-8")
    with pytest.raises(ValueError, match="vat"):
        load_settings(path)


def test_save_keeps_comments_and_round_trips(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("# set by the dealer's IT\nprinter = \"front-desk\"\n", "utf-8")
    s = replace(load_settings(path), vat_rate=Decimal("0.09"), language="en")
    save_settings(s, path)
    text = path.read_text("utf-8")
    assert "# set by the dealer's IT" in text
    again = load_settings(path)
    assert again.vat_rate == Decimal("0.09") and again.printer == "front-desk" and again.language == "en"
