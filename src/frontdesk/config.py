"""Settings: a TOML file in the platformdirs config dir, then environment, then flags.

``FRONTDESK_CONFIG`` points at another file so tests and second stores stay hermetic.
Reading uses the standard library's ``tomllib`` (fast, nothing to import at startup);
writing uses ``tomlkit`` so an administrator's comments in the file survive.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

APP_NAME = "frontdesk"


def _dirs():  # platformdirs is cheap, but only needed when no path was given
    from platformdirs import PlatformDirs

    return PlatformDirs(APP_NAME, appauthor=False)


def default_config_path() -> Path:
    env = os.environ.get("FRONTDESK_CONFIG")
    if env:
        return Path(env)
    return Path(_dirs().user_config_dir) / "config.toml"


def default_database_url() -> str:
    data = Path(_dirs().user_data_dir)
    return f"sqlite:///{data / 'frontdesk.db'}"


def default_pdf_dir() -> Path:
    return Path(_dirs().user_documents_dir) / "frontdesk"


@dataclass(frozen=True)
class Dealership:
    name: str = "示范汽车销售服务有限公司"
    address: str = "广州市天河区示范路 1 号"
    phone: str = "020-00000000"
    tax_id: str = "91440100000000000X"
    logo_path: str = ""


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    language: str = "zh_CN"
    dealership: Dealership = field(default_factory=Dealership)
    vat_rate: Decimal = Decimal("0.13")
    # Labor rate per standard hour, by pay type; "default" serves the others.
    labor_rates: dict[str, Decimal] = field(
        default_factory=lambda: {"default": Decimal("180.00"), "warranty": Decimal("150.00")}
    )
    warranty_months: int = 36
    warranty_km: int = 100_000
    follow_up_days: int = 3
    #: 抹零: how far the cashier may round the customer's payable down on their own authority:
    #: "none", "jiao" (the fen go) or "yuan" (the jiao and fen go).
    round_off: str = "jiao"
    #: Appointment capacity (预约限量, services/capacity.py): bookings are counted per band of this many
    #: minutes; each advisor takes this many per band; bookings fall within the opening hours ("08:30-17:30").
    appointment_band_minutes: int = 30
    appointment_slots: int = 2
    opening_hours: str = "08:30-17:30"
    #: Workshop hours a day by trade (mechanical 机修, body 钣喷, electrical 电工); a trade not listed is not limited.
    workshop_hours: dict[str, Decimal] = field(
        default_factory=lambda: {"mechanical": Decimal(64), "body": Decimal(24), "electrical": Decimal(16)}
    )
    idle_lock_minutes: int = 10
    #: Reception: a customer waiting longer than this many minutes shows red in the queue.
    reception_wait_red_minutes: int = 10
    #: Warranty claims (services/warranty_claims.py): days after the repair to submit a claim to the maker.
    warranty_claim_days: int = 30
    #: 三包 (services/sanbao.py; 家用汽车产品修理更换退货责任规定): the period (years or km, whichever comes
    #: first, from the sale), the days in the workshop that give the right to a replacement or refund and the
    #: days that warn of it, and the repairs of one serious fault (brakes, steering, engine, gearbox) that do.
    sanbao_years: int = 2
    sanbao_km: int = 50_000
    sanbao_days_limit: int = 35
    sanbao_days_warn: int = 25
    sanbao_repeat_limit: int = 2
    pdf_dir: str = ""
    printer: str = ""
    font_path: str = ""
    store_code: str = "GZ01"
    #: ``board --serve``: browsers showing the board at once (each is a board process of ~70 MB).
    board_max_connections: int = 8
    #: ``board --serve``: other origins (``"http://tv.store.lan:8000"``) whose pages may open the board.
    board_allowed_origins: list[str] = field(default_factory=list)
    #: SQLite only: "full" (the default) makes every commit survive a power cut; "normal" is
    #: faster but may lose the last commits (a payment just taken) when the machine loses power.
    sqlite_synchronous: str = "full"
    #: Keys a user changed: binding id (``frontdesk.<action>``, F1 lists them) -> key(s), e.g.
    #: ``"frontdesk.save" = "f10"`` or ``"frontdesk.lock" = "f11,ctrl+l"``; applied with Textual's keymap.
    keymap: dict[str, str] = field(default_factory=dict)
    #: The file these settings were read from (where the settings screen saves); never written to it.
    config_path: str = field(default="", compare=False)

    def labor_rate(self, pay_type: str) -> Decimal:
        return self.labor_rates.get(pay_type, self.labor_rates["default"])

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def resolved_pdf_dir(self) -> Path:
        return Path(self.pdf_dir) if self.pdf_dir else default_pdf_dir()


_DECIMAL_FIELDS = {"vat_rate"}
_SYNCHRONOUS = ("full", "normal")
_ROUND_OFF = ("none", "jiao", "yuan")  # money.ROUND_OFF_SETTINGS (config may not import the services)
#: Known to the running program, never read from or written to the file.
_RUNTIME_FIELDS = frozenset({"config_path"})
#: Every key the file may hold, in the order a new file lists them.
FILE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Settings) if f.name not in _RUNTIME_FIELDS)


def _from_mapping(data: dict[str, Any]) -> Settings:
    known = set(FILE_KEYS)
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown settings in config file: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "dealership":
            kwargs[key] = Dealership(**value)
        elif key in _DECIMAL_FIELDS:
            kwargs[key] = Decimal(str(value))
        elif key == "sqlite_synchronous":
            if str(value).lower() not in _SYNCHRONOUS:
                raise ValueError(f"sqlite_synchronous must be one of {', '.join(_SYNCHRONOUS)}: {value!r}")
            kwargs[key] = str(value).lower()
        elif key == "keymap":
            kwargs[key] = _keymap(value)
        elif key == "round_off":
            if str(value).lower() not in _ROUND_OFF:
                raise ValueError(f"round_off must be one of {', '.join(_ROUND_OFF)}: {value!r}")
            kwargs[key] = str(value).lower()
        elif key == "labor_rates":
            rates = {k: Decimal(str(v)) for k, v in value.items()}
            rates.setdefault("default", Settings().labor_rates["default"])
            kwargs[key] = rates
        elif key == "workshop_hours":
            if not isinstance(value, dict):
                raise ValueError("[workshop_hours] must be a table of trades and hours a day")
            kwargs[key] = {k: Decimal(str(v)) for k, v in value.items()}
        elif key == "opening_hours":
            kwargs[key] = _opening_hours(value)
        else:
            kwargs[key] = value
    return Settings(**kwargs)


def opening_times(value: str) -> tuple[dt.time, dt.time]:
    """"08:30-17:30" (or with – or ~ between) as the opening and closing times; ValueError when it is not that."""
    parts = str(value).replace("–", "-").replace("~", "-").replace("：", ":").split("-")
    if len(parts) != 2:
        raise ValueError(f"opening_hours is two times such as \"08:30-17:30\": {value!r}")
    opens, closes = (dt.time.fromisoformat(_clock(part)) for part in parts)
    if opens >= closes:
        raise ValueError(f"opening_hours: the store opens before it closes: {value!r}")
    return opens, closes


def _clock(text: str) -> str:
    """"8" → "08:00", "8:30" → "08:30": the ISO form of a time as a person types it."""
    text = text.strip()
    return (text if ":" in text else f"{text}:00").zfill(5)


def _opening_hours(value: Any) -> str:
    opens, closes = opening_times(value)
    return f"{opens:%H:%M}-{closes:%H:%M}"


def _keymap(value: Any) -> dict[str, str]:
    """``[keymap]``: binding ids of this program to comma-separated key names."""
    if not isinstance(value, dict):
        raise ValueError("[keymap] must be a table of binding ids and keys")
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        if not binding_id.startswith("frontdesk.") or not isinstance(keys, str) or not keys.strip():
            raise ValueError(f"[keymap] {binding_id!r}: give a frontdesk.<action> id and keys such as \"f10\" "
                             "or \"ctrl+s,f10\"")
        keymap[binding_id] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return keymap


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """File, then ``FRONTDESK_DB``/``FRONTDESK_LANG``, then non-None keyword overrides."""
    path = path or default_config_path()
    data: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    settings = replace(_from_mapping(data), config_path=str(path))
    env = {
        "database_url": os.environ.get("FRONTDESK_DB"),
        "language": os.environ.get("FRONTDESK_LANG"),
    }
    settings = replace(settings, **{k: v for k, v in env.items() if v})
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def _toml_value(value: Any) -> Any:
    """Decimals go in as strings: a TOML float would turn 0.13 into a binary fraction."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _toml_value(v) for k, v in value.items()}
    return value


def settings_text(settings: Settings, path: Path, keys: Iterable[str] | None = None) -> str:
    """The file at ``path`` with ``keys`` (default: every file key) set from ``settings``.

    What the file already says stays where it is, comments included: a changed value is
    replaced in place, a table (``[dealership]``, ``[labor_rates]``) is updated key by key
    rather than rewritten, and a key the settings no longer have (a labor rate removed) is
    dropped from its table. Keys not named are left exactly as the file has them, so the
    database URL given with ``--db`` never ends up in the file.
    """
    import tomlkit

    doc = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.document()
    values = asdict(settings)
    for key in FILE_KEYS if keys is None else keys:
        if key not in FILE_KEYS:
            raise ValueError(f"not a settings key: {key}")
        value = _toml_value(values[key])
        current = doc.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            for gone in [k for k in current if k not in value]:
                del current[gone]
            for k, v in value.items():
                if current.get(k) != v:
                    current[k] = v
        elif current != value or key not in doc:
            doc[key] = value
    return tomlkit.dumps(doc)


def write_atomically(path: Path, text: str) -> Path:
    """Write beside ``path`` then rename over it: a crash leaves the old file or the new one (0600)."""
    from frontdesk.private_files import staged

    with staged(path) as partial:
        partial.write_text(text, "utf-8")
    return path


def stage_file(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path`` (same folder, so a rename is atomic).

    The file may hold the database URL with its password: it is 0600 from its first byte,
    in a folder made 0700 (frontdesk.private_files).
    """
    from frontdesk.private_files import create_private, private_dir

    private_dir(path.parent)
    staged = create_private(path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    staged.write_text(text, "utf-8")
    return staged


def save_settings(settings: Settings, path: Path | None = None, keys: Iterable[str] | None = None) -> Path:
    """Write the settings back (only ``keys`` when given), keeping comments already in the file."""
    path = path or (Path(settings.config_path) if settings.config_path else default_config_path())
    return write_atomically(path, settings_text(settings, path, keys))
