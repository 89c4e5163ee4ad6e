"""Settings: a TOML file in the platformdirs config dir, then environment, then flags.

``FRONTDESK_CONFIG`` points at another file so tests and second stores stay hermetic.
Reading uses the standard library's ``tomllib`` (fast, nothing to import at startup);
writing uses ``tomlkit`` so an administrator's comments in the file survive.
"""

from __future__ import annotations

import os
import tomllib
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
    idle_lock_minutes: int = 10
    pdf_dir: str = ""
    printer: str = ""
    font_path: str = ""
    store_code: str = "GZ01"

    def labor_rate(self, pay_type: str) -> Decimal:
        return self.labor_rates.get(pay_type, self.labor_rates["default"])

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()

    def resolved_pdf_dir(self) -> Path:
        return Path(self.pdf_dir) if self.pdf_dir else default_pdf_dir()


_DECIMAL_FIELDS = {"vat_rate"}


def _from_mapping(data: dict[str, Any]) -> Settings:
    known = {f.name for f in fields(Settings)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown settings in config file: {', '.join(sorted(unknown))}")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "dealership":
            kwargs[key] = Dealership(**value)
        elif key in _DECIMAL_FIELDS:
            kwargs[key] = Decimal(str(value))
        elif key == "labor_rates":
            rates = {k: Decimal(str(v)) for k, v in value.items()}
            rates.setdefault("default", Settings().labor_rates["default"])
            kwargs[key] = rates
        else:
            kwargs[key] = value
    return Settings(**kwargs)


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """File, then ``FRONTDESK_DB``/``FRONTDESK_LANG``, then non-None keyword overrides."""
    path = path or default_config_path()
    data: dict[str, Any] = {}
    if path.exists():
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    settings = _from_mapping(data)
    env = {
        "database_url": os.environ.get("FRONTDESK_DB"),
        "language": os.environ.get("FRONTDESK_LANG"),
    }
    settings = replace(settings, **{k: v for k, v in env.items() if v})
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write the settings back, keeping comments already in the file."""
    import tomlkit

    path = path or default_config_path()
    doc = tomlkit.parse(path.read_text("utf-8")) if path.exists() else tomlkit.document()
    for key, value in asdict(settings).items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, dict):
            value = {k: str(v) if isinstance(v, Decimal) else v for k, v in value.items()}
        doc[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(doc), "utf-8")
    return path
