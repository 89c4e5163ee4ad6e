"""The trace an error leaves for whoever supports the store: a rotating file, ids only.

An unexpected error on a screen is shown to the user (screens/pipeline.py) and written
here with its traceback, so it can be looked into afterwards. The file sits in the user
log folder (``platformdirs.user_log_dir``), is 0600 in a 0700 folder
(``frontdesk.private_files``) and rotates at 1 MB, keeping five old files, so a desk
machine's disk never fills with it.

It must never hold a customer's name or phone: service arguments are never logged (they
carry names and phones), only the ids a caller hands over in ``extra={"ids": {...}}``
(the service's qualified name, the user's id, the order's id), and every message and
traceback line is scrubbed on the way out (:func:`scrub`): runs of seven or more digits,
Chinese text, e-mail addresses, a driver error's SQL parameters and database passwords
are masked. A traceback keeps its frames (file, line, function, code), never their local
variables.

``configure`` is called once when the console or the board starts. It is cheap: the file
is opened, and ``logging.handlers`` imported, only when the first record is written.
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

APP_NAME = "frontdesk"
LOGGER = "frontdesk"  # every module logs under frontdesk.*; nothing of other libraries is written
FILE_NAME = "frontdesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
MASK = "***"

_DIGITS = re.compile(r"\+?\d(?: ?\d){6,}")  # a phone, written together or in groups ("138 0013 8000")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+")  # names are written in Chinese
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PARAMETERS = re.compile(r"\[parameters: [^\n]*")  # SQLAlchemy puts the bound values there, on a line of their own
_ID_TEXT = re.compile(r"[\w.<>:-]{1,200}")  # a qualified name or an action, never free text

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def default_file() -> Path:
    from platformdirs import user_log_dir

    return Path(user_log_dir(APP_NAME, appauthor=False)) / FILE_NAME


def log_file() -> Path:
    """The file this process writes to (the default one when logging was not configured)."""
    for handler in logging.getLogger(LOGGER).handlers:
        if isinstance(handler, _DeferredFile):
            return handler.path
    return default_file()


def configure(path: Path | None = None) -> Path:
    """Write frontdesk's records (INFO and up) to ``path`` (default: the user log folder); once per process."""
    logger = logging.getLogger(LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, _DeferredFile):
            return handler.path
    handler = _DeferredFile(path or default_file())
    handler.setLevel(logging.INFO)
    handler.setFormatter(IdsOnlyFormatter())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler.path


def unconfigure() -> None:
    """Remove the file handler again (tests)."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, _DeferredFile):
            logger.removeHandler(handler)
            handler.close()


def scrub(text: str) -> str:
    """``text`` without what could name or reach a person (see the module docstring)."""
    from frontdesk.redact import redact_text

    text = _PARAMETERS.sub("[parameters: " + MASK + "]", redact_text(text))
    text = _EMAIL.sub(MASK, text)
    text = _DIGITS.sub(MASK, text)
    return _CJK.sub(MASK, text)


def scrubbed_traceback(exc_info: ExcInfo) -> str:
    """The traceback (the chain of causes included) with every line scrubbed; no local variables."""
    lines = traceback.TracebackException(*exc_info, capture_locals=False).format()
    return "".join(scrub(chunk) for chunk in lines).rstrip("\n")


class IdsOnlyFormatter(logging.Formatter):
    """Time, level, logger, the scrubbed message, the ids handed over, the scrubbed traceback."""

    def format(self, record: logging.LogRecord) -> str:
        when = self.formatTime(record, "%Y-%m-%d %H:%M:%S")
        line = f"{when} {record.levelname} {record.name}: {scrub(record.getMessage())}"
        ids = _ids(getattr(record, "ids", None))
        if ids:
            line += " [" + " ".join(f"{key}={value}" for key, value in ids.items()) + "]"
        if record.exc_info and record.exc_info[0] is not None:
            line += "\n" + scrubbed_traceback(record.exc_info)  # type: ignore[arg-type]
        return line


def _ids(given: Any) -> dict[str, Any]:
    """Integers, and names made of identifier characters; anything else is left out."""
    if not isinstance(given, dict):
        return {}
    out: dict[str, Any] = {}
    for key, value in given.items():
        if value is None or not isinstance(key, str):
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            out[key] = value
        elif isinstance(value, str) and _ID_TEXT.fullmatch(value) and not _CJK.search(value):
            out[key] = value
    return out


class _DeferredFile(logging.Handler):
    """Opens the rotating file (and imports ``logging.handlers``) when the first record comes."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = Path(path)
        self._file: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._file is None:
                self._file = _private_rotating_file(self.path)
                self._file.setFormatter(self.formatter)
            self._file.emit(record)
        except Exception:  # noqa: BLE001 - a full disk must not take the console down
            self.handleError(record)

    def setFormatter(self, fmt: logging.Formatter | None) -> None:  # noqa: N802 - logging's name
        super().setFormatter(fmt)
        if self._file is not None:
            self._file.setFormatter(fmt)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        super().close()


def _private_rotating_file(path: Path) -> logging.Handler:
    from logging.handlers import RotatingFileHandler

    from frontdesk.private_files import PRIVATE_FILE, private_dir

    class PrivateRotatingFile(RotatingFileHandler):
        """Every file it opens (the first and each one after a rotation) is 0600 from the start."""

        def _open(self) -> Any:
            private_dir(Path(self.baseFilename).parent)
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
            os.fchmod(fd, PRIVATE_FILE)  # an existing file keeps its mode through O_CREAT
            return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
