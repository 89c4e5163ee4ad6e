"""Database URLs lose their password before they are shown (issue 15, item 6)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from frontdesk.redact import redact_text, redact_url


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://frontdesk:s3cret@db.local/fd", "postgresql://frontdesk:***@db.local/fd"),
    ("postgresql+psycopg://fd:s3cret@db:5432/fd?sslmode=require", "postgresql+psycopg://fd:***@db:5432/fd?sslmode=require"),
    ("postgresql://fd:p%40ss%2Fw%3Ard@db/fd", "postgresql://fd:***@db/fd"),  # percent-encoded
    ("postgresql://fd:p@ss@db/fd", "postgresql://fd:***@db/fd"),  # an unencoded @ in the password
    ("postgresql://fd:ab/cd+ef=@db/fd", "postgresql://fd:***@db/fd"),  # base64-ish, unencoded /
    ("postgresql://:s3cret@db/fd", "postgresql://:***@db/fd"),
    ("postgresql://db/fd?user=fd&password=s3cret&x=1", "postgresql://db/fd?user=fd&password=***&x=1"),
    ("host=db user=fd password=s3cret dbname=fd", "host=db user=fd password=*** dbname=fd"),
])
def test_the_password_is_masked_and_nothing_else_changes(url: str, shown: str) -> None:
    assert redact_url(url) == shown


@pytest.mark.parametrize("url", [
    "postgresql://fd@db/fd",
    "postgresql://db:5432/fd",
    "postgresql:///fd",
    "sqlite:////home/desk/.local/share/frontdesk/frontdesk.db",
    "sqlite:///relative/store.db",
    "sqlite://",
    "/just/a/path.db",
    "",
])
def test_urls_without_a_password_are_unchanged(url: str) -> None:
    assert redact_url(url) == url


def test_urls_inside_a_message_are_masked() -> None:
    message = 'connection to "postgresql://fd:s3cret@db/fd" failed; retry postgresql://a:b@c/d.'
    shown = redact_text(message)
    assert "s3cret" not in shown and ":b@" not in shown
    assert "postgresql://fd:***@db/fd" in shown and "postgresql://a:***@c/d." in shown


def test_importing_it_does_not_import_sqlalchemy() -> None:
    """The console's sign-in path shows the store's URL and must stay light."""
    code = "import sys, frontdesk.redact; print('sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
