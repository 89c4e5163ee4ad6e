"""Saving the settings: exact round trip, comments kept, bad input refused whole, audited, roles.

The store's file starts with an administrator's comments and a database URL the screen
does not edit; the service tests run on both databases (the file is the same either way).
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from frontdesk.config import load_settings
from frontdesk.model import AuditEvent, Store
from frontdesk.model.enums import Role
from frontdesk.services import context
from frontdesk.services import settings as settings_service
from frontdesk.services.errors import PermissionDenied, ValidationError
from frontdesk.services.settings import SettingsForm

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FILE = """\
# Installed by the dealer group's IT: ask before changing the database.
database_url = "sqlite:///store.db"
printer = "front-desk"  # the laser printer by the cashier
vat_rate = "0.13"

[dealership]
# The legal name, as on the business licence.
name = "示范汽车销售服务有限公司"
phone = "020-00000000"

[labor_rates]
default = "180.00"  # per standard hour, tax included
warranty = "150.00"
"""


@pytest.fixture
def config(tmp_path: Path, services):  # type: ignore[no-untyped-def]
    """The store's own file, loaded into the running services as the CLI would."""
    path = tmp_path / "store" / "config.toml"
    path.parent.mkdir()
    path.write_text(FILE, "utf-8")
    services.settings = replace(load_settings(path), language="en")
    return path


def edited(services, **changes: object) -> SettingsForm:  # type: ignore[no-untyped-def]
    form = SettingsForm.of(services.settings)
    rates = dict(form.labor_rates)
    rates.update(changes.pop("rates", {}))  # type: ignore[call-overload]
    return replace(form, labor_rates=tuple(rates.items()), **changes)  # type: ignore[arg-type]


def audits(services, action: str = "settings.save") -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def store(services, actor) -> Store:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.get(Store, actor.store_id)


def test_save_then_reload_gives_the_same_settings(services, actors, config, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    form = edited(services, name=" 广州越秀汽车服务有限公司 ", address="广州市越秀区东风中路 8 号", phone="020-8888 6666",
                  tax_id="91440101ma5d8x7k2q", logo_path=str(logo), vat_rate="9", warranty_months="24",
                  warranty_km="60000", follow_up_days="2", idle_lock_minutes="15", pdf_dir=str(tmp_path / "pdf"),
                  rates={"default": "210.50", "warranty": "", "insurance": "¥195", "internal": "0"})
    new = settings_service.save(services, actors[Role.MANAGER], form)

    again = load_settings(config)
    assert again == new
    assert again.dealership.name == "广州越秀汽车服务有限公司" and again.dealership.tax_id == "91440101MA5D8X7K2Q"
    assert again.follow_up_days == 2 and again.idle_lock_minutes == 15 and again.warranty_km == 60000
    assert again.pdf_dir == str(tmp_path / "pdf") and not (tmp_path / "pdf").exists()  # checked, not made
    # Decimals exact, as strings in the file: no binary fraction anywhere.
    assert again.vat_rate == Decimal("0.09") and str(again.vat_rate) == "0.09"
    assert {k: str(v) for k, v in again.labor_rates.items()} == {"default": "210.50", "insurance": "195.00", "internal": "0.00"}
    assert again.labor_rate("warranty") == Decimal("210.50")  # no warranty rate of its own any more
    raw = tomllib.loads(config.read_text("utf-8"))
    assert raw["vat_rate"] == "0.09" and raw["labor_rates"]["default"] == "210.50"


def test_the_file_keeps_its_comments_and_what_the_screen_does_not_edit(services, actors, config, monkeypatch):
    monkeypatch.setenv("FRONTDESK_DB", "postgresql://elsewhere/db")  # an override for this run only
    services.settings = load_settings(config)
    settings_service.save(services, actors[Role.ADMIN], edited(services, vat_rate="6"))
    text = config.read_text("utf-8")
    for comment in ("# Installed by the dealer group's IT", "# the laser printer by the cashier",
                    "# The legal name, as on the business licence.", "# per standard hour, tax included"):
        assert comment in text
    assert 'database_url = "sqlite:///store.db"' in text and "elsewhere" not in text
    assert text.index("# Installed") < text.index("[dealership]") < text.index("[labor_rates]")
    assert not [p.name for p in config.parent.iterdir() if p != config]  # no temporary file left behind


def test_the_store_letterhead_and_the_audit_event(services, actors, config):
    manager = actors[Role.MANAGER]
    settings_service.save(services, manager, edited(services, name="广州越秀店", vat_rate="9", rates={"warranty": "165"}))
    row = store(services, manager)
    assert (row.name, row.phone) == ("广州越秀店", "020-00000000")  # what the paperwork prints
    (event,) = audits(services)
    assert event.user_id == manager.user_id and event.entity == "settings" and event.entity_id == row.id
    assert event.before == {"dealership.name": "示范汽车销售服务有限公司", "vat_rate": "0.13", "labor_rates.warranty": "150.00"}
    assert event.after == {"dealership.name": "广州越秀店", "vat_rate": "0.09", "labor_rates.warranty": "165.00",
                           "file": str(config)}


BAD = [
    ("name", {"name": "  "}),
    ("phone", {"phone": "020-8888-666x"}),
    ("phone", {"phone": "12345"}),
    ("tax_id", {"tax_id": "91440101MA5D8X7K2"}),  # 17 characters
    ("tax_id", {"tax_id": "91440101MA5D8X7KOQ"}),  # O is not in the code's alphabet
    ("logo_path", {"logo_path": "logo.png"}),  # relative: depends on where the console was started
    ("logo_path", {"logo_path": "/nowhere/logo.png"}),
    ("vat_rate", {"vat_rate": "abc"}),
    ("vat_rate", {"vat_rate": "-1"}),
    ("vat_rate", {"vat_rate": "100"}),
    ("vat_rate", {"vat_rate": "13.005"}),
    ("vat_rate", {"vat_rate": ""}),
    ("labor_default", {"rates": {"default": ""}}),
    ("labor_default", {"rates": {"default": "0"}}),
    ("labor_warranty", {"rates": {"warranty": "-5"}}),
    ("labor_insurance", {"rates": {"insurance": "12.345"}}),
    ("warranty_months", {"warranty_months": "3.5"}),
    ("warranty_km", {"warranty_km": "2000000"}),
    ("follow_up_days", {"follow_up_days": "0"}),
    ("idle_lock_minutes", {"idle_lock_minutes": ""}),
    ("language", {"language": "fr"}),
    ("printer", {"printer": "front desk"}),
    ("pdf_dir", {"pdf_dir": "pdf"}),
]


@pytest.mark.parametrize("field,changes", BAD, ids=[f"{f}-{i}" for i, (f, _c) in enumerate(BAD)])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(services, actors, config, field, changes):
    admin = actors[Role.ADMIN]
    before, address = config.read_bytes(), store(services, admin).address
    # A good change elsewhere in the form must not be saved either.
    form = edited(services, address="广州市越秀区东风中路 8 号", **changes)
    with pytest.raises(ValidationError) as caught:
        settings_service.save(services, admin, form)
    assert caught.value.field == field and caught.value.message
    assert config.read_bytes() == before and audits(services) == []
    assert store(services, admin).address == address != "广州市越秀区东风中路 8 号"


def test_a_logo_must_be_a_png_or_jpeg_file(services, actors, config, tmp_path):
    fake = tmp_path / "logo.png"
    fake.write_text("not an image", "utf-8")
    with pytest.raises(ValidationError, match="PNG or JPEG") as caught:
        settings_service.save(services, actors[Role.ADMIN], edited(services, logo_path=str(fake)))
    assert caught.value.field == "logo_path"
    jpeg = tmp_path / "logo.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 16)
    assert settings_service.save(services, actors[Role.ADMIN], edited(services, logo_path=str(jpeg))).dealership.logo_path == str(jpeg)
    with pytest.raises(ValidationError) as caught:
        settings_service.save(services, actors[Role.ADMIN], edited(services, logo_path=str(tmp_path)))  # a folder
    assert caught.value.field == "logo_path"


def test_the_pdf_folder_must_be_a_folder_that_can_be_made(services, actors, config, tmp_path):
    a_file = tmp_path / "report.pdf"
    a_file.write_bytes(b"%PDF")
    for folder in (a_file, a_file / "below"):
        with pytest.raises(ValidationError) as caught:
            settings_service.save(services, actors[Role.ADMIN], edited(services, pdf_dir=str(folder)))
        assert caught.value.field == "pdf_dir"
    assert settings_service.save(services, actors[Role.ADMIN], edited(services, pdf_dir=str(tmp_path / "a" / "b"))).pdf_dir


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.MANAGER)])
def test_only_an_admin_or_a_manager_saves(services, actors, config, role):
    before = config.read_bytes()
    with pytest.raises(PermissionDenied):
        settings_service.save(services, actors[role], edited(services, vat_rate="9"))
    assert config.read_bytes() == before and audits(services) == []


def test_a_failed_commit_leaves_the_old_file(services, actors, config, monkeypatch):
    """The file is put in place only when the transaction commits: no file without its audit event."""
    before = config.read_bytes()

    def broken(row):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(context, "_resolved", broken)
    with pytest.raises(RuntimeError):
        settings_service.save(services, actors[Role.ADMIN], edited(services, vat_rate="9"))
    assert config.read_bytes() == before
    assert [p.name for p in config.parent.iterdir()] == ["config.toml"]


def test_a_new_file_is_made_where_the_settings_came_from(services, actors, tmp_path):
    target = tmp_path / "new" / "config.toml"
    services.settings = replace(services.settings, config_path=str(target))
    new = settings_service.save(services, actors[Role.ADMIN], edited(services, follow_up_days="5"))
    assert target.is_file() and load_settings(target) == replace(new, database_url="")
    assert "database_url" not in tomllib.loads(target.read_text("utf-8"))  # never written by the screen


def test_the_letterhead_saved_at_another_terminal_is_not_put_back(services, actors, config, tmp_path):
    """Each terminal has its own file; the letterhead lives in the store's record, which the form shows."""
    manager = actors[Role.MANAGER]
    settings_service.save(services, manager, edited(services, name="广州越秀店", phone="020-83330000"))
    other_file = tmp_path / "desk2.toml"
    other_file.write_text(FILE, "utf-8")  # the second desk still has the old name in its file
    desk2 = replace(services, settings=load_settings(other_file))
    shown = settings_service.current(desk2, manager)
    assert (shown.dealership.name, shown.dealership.phone) == ("广州越秀店", "020-83330000")
    settings_service.save(desk2, manager, replace(SettingsForm.of(shown), printer="desk2"))
    assert store(services, manager).name == "广州越秀店"
    assert load_settings(other_file).dealership.name == "广州越秀店"  # and the second desk's file catches up
    assert "dealership.name" not in audits(services)[-1].after


def test_the_settings_file_is_private(tmp_path) -> None:
    """The settings may hold the database password: 0600, in a folder made 0700 (issue 15, item 5)."""
    import stat

    from frontdesk.config import write_atomically

    path = tmp_path / "cfg" / "frontdesk" / "config.toml"
    write_atomically(path, 'database_url = "postgresql+psycopg://fd:secret@db/fd"\n')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
