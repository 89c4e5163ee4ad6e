"""The command line speaks the console's language (issue 17): ``--lang``, else the configured one, Chinese by default.

Every help text of ``frontdesk --help`` and of each subcommand's ``--help``, argparse's own
words ("usage:", "options", "show this help message and exit", its errors) and what
``frontdesk demo`` prints come from the catalog. The expected Chinese is read from the
catalog itself (``translator("zh_CN")``), and must differ from the English msgid.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from frontdesk import cli
from frontdesk.i18n import set_language, translator

zh = translator("zh_CN")
ARGPARSE_WORDS = ("usage: ", "options", "show this help message and exit")


def _squeeze(text: str) -> str:
    """argparse wraps help at spaces: compare without any whitespace."""
    return re.sub(r"\s+", "", text)


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _subcommands(sub, (*path, name))


def _english_parser() -> argparse.ArgumentParser:
    set_language("en")
    with cli.argparse_in_our_language():
        return cli._parser()


EVERY_COMMAND = [path for path, _parser in _subcommands(_english_parser())]


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        cli.main([*argv, "--help"])
    assert done.value.code == 0
    return capsys.readouterr().out


def test_frontdesk_help_is_chinese_by_default(capsys):
    out = _help([], capsys)
    assert out.startswith(zh("usage: ") + "frontdesk") and zh("usage: ") != "usage: "
    for english in ("Service-department console of a car dealership.", "user accounts", "database maintenance",
                    "show this help message and exit", "Unexpected errors are logged (with ids, no names or phones) in:"):
        assert zh(english) != english and english not in out, english
        assert _squeeze(zh(english)) in _squeeze(out), english
    assert zh("options") + ":" in out and "options:" not in out


def test_lang_en_gives_english_help(capsys):
    out = _help(["--lang", "en"], capsys)
    assert out.startswith("usage: frontdesk")
    for english in ("Service-department console of a car dealership.", "user accounts", "options:",
                    "show this help message and exit", "Unexpected errors are logged"):
        assert english in " ".join(out.split()), english
    assert not re.search(r"[\u4e00-\u9fff]", out.replace("zh_CN", ""))  # no Chinese at all


def test_the_configured_language_is_followed(capsys, tmp_path: Path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('language = "en"\n', encoding="utf-8")
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    assert _help(["users"], capsys).startswith("usage: frontdesk users")
    assert _help(["users", "--lang", "zh_CN"], capsys).startswith(zh("usage: ") + "frontdesk users")  # --lang wins


@pytest.mark.parametrize("path", EVERY_COMMAND, ids=lambda p: " ".join(p) or "frontdesk")
def test_each_subcommands_help_is_translated(path, capsys):
    parser = dict(_subcommands(_english_parser()))[path]
    out = _help(list(path), capsys)
    assert out.startswith(zh("usage: ")), out
    texts = [parser.description or ""] + [a.help for a in parser._actions if a.help and a.help != argparse.SUPPRESS]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            texts += [choice.help for choice in action._choices_actions if choice.help]
    for text in filter(None, texts):
        assert zh(text) != text, f"no Chinese for {text!r}"
        assert _squeeze(zh(text)) in _squeeze(out), text
        assert _squeeze(text) not in _squeeze(out), text


def test_argparse_errors_are_in_the_language_too(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["report"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert zh("the following arguments are required: %s") % "--from" in err
    assert "error:" not in err and "required" not in err
    with pytest.raises(SystemExit):
        cli.main(["report", "--lang", "en"])
    assert "the following arguments are required: --from" in capsys.readouterr().err


def test_demo_speaks_the_language(tmp_path: Path, capsys):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert cli.main(["demo", "--days", "1", "--quiet", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "demo store ready" not in out and "演示门店已就绪" in out and "advisor / demo1234" in out
    assert cli.main(["demo", "--days", "1", "--quiet", "--db", url, "--lang", "en"]) == 0
    assert "demo store ready" in capsys.readouterr().out
