"""``print_file`` hands the PDF to CUPS' ``lp`` and turns every failure into a clear PrintError."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from frontdesk.paperwork import PrintError, media_for, print_file
from frontdesk.paperwork.printing import lp_command

from . import factories


def fake_lp(folder: Path, body: str) -> Path:
    """An ``lp`` on PATH that records its arguments and then runs ``body`` (shell)."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "lp"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/args"\n{body}\n', "utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    path = tmp_path / "RO2026112600012-work-order.pdf"
    path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    return path


def test_runs_lp_with_printer_media_and_title(tmp_path: Path, pdf: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = fake_lp(tmp_path / "bin", 'echo "request id is desk-42 (1 file(s))"')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    job = print_file(pdf, "desk", "A5", "出门证 RO2026112600012")
    assert job == "desk-42"
    args = (bin_dir / "args").read_text("utf-8").splitlines()
    assert args == ["-d", "desk", "-o", "media=A5", "-t", "出门证 RO2026112600012", str(pdf)]


def test_copies_and_default_title() -> None:
    command = lp_command(Path("/x/RO1-work-order.pdf"), "desk", "A4", None, 2)
    assert command == ["lp", "-d", "desk", "-o", "media=A4", "-n", "2", "-t", "RO1-work-order",
                       "/x/RO1-work-order.pdf"]


def test_missing_lp_is_a_clear_error(tmp_path: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    with pytest.raises(PrintError, match="lp command is not installed"):
        print_file(pdf, "desk")


def test_lp_failure_carries_its_message(tmp_path: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = fake_lp(tmp_path / "bin", 'echo "lp: The printer or class does not exist." >&2; exit 1')
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(PrintError, match="Printer nowhere refused .*does not exist"):
        print_file(pdf, "nowhere")


def test_hanging_lp_times_out(tmp_path: Path, pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = fake_lp(tmp_path / "bin", "exec sleep 10")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(PrintError, match="did not answer"):
        print_file(pdf, "desk", timeout=0.5)


@pytest.mark.parametrize(("printer", "media", "name", "message"), [
    ("", "A4", "x.pdf", "No printer is configured"),
    ("desk", "Letter", "x.pdf", "Unsupported paper size"),
    ("desk", "A4", "missing.pdf", "does not exist"),
])
def test_bad_requests_are_refused_before_lp(tmp_path: Path, printer: str, media: str, name: str,
                                            message: str) -> None:
    path = tmp_path / name
    if name != "missing.pdf":
        path.write_bytes(b"%PDF")
    with pytest.raises(PrintError, match=message):
        print_file(path, printer, media)  # type: ignore[arg-type]


def test_media_for_each_document() -> None:
    assert media_for(factories.gate_pass()) == "A5"
    for doc in (factories.work_order(), factories.checkin_sheet(), factories.settlement()):
        assert media_for(doc) == "A4"


def test_a_refusal_reads_in_the_console_s_language(tmp_path: Path) -> None:
    from frontdesk.i18n import set_language

    set_language("zh_CN")
    try:
        with pytest.raises(PrintError, match="未设置打印机"):
            print_file(tmp_path / "x.pdf", "", "A4")
    finally:
        set_language("en")


def test_a_printed_document_is_private(tmp_path) -> None:
    """A work order names the customer: the PDF is 0600 and a folder made for it 0700 (issue 15, item 5)."""
    import stat

    from frontdesk.paperwork.page import write_atomically

    target = tmp_path / "new" / "pdf" / "GZ01-1-work-order.pdf"
    write_atomically(target, b"%PDF-1.4 test")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no partial left
