"""The ``frontdesk`` command: the console by default, and the tools around it.

argparse (standard library) keeps startup cheap; each command imports what it needs.
Whatever goes wrong that the user can act on (a bad ``--db``, a missing, read-only, damaged
or newer store, an unwritable ``--out``) ends the command with one line on stderr and a
non-zero exit (:func:`error_line`), never a traceback, and with nothing written. Only ``db
upgrade``, ``demo`` and the console's first start on the default path create a store.

The command line speaks the console's language: ``--lang``, else the configured language
(Chinese by default), chosen before the parser is built so that every help text, argparse's
own words ("usage:", "options", its error messages) included, comes from the catalog.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from frontdesk.i18n import DEFAULT_LANGUAGE, gettext as _, ngettext, set_language
from frontdesk.labels import ROLE, label

if TYPE_CHECKING:
    from frontdesk.config import Settings
    from frontdesk.services.context import Services


def _parser() -> argparse.ArgumentParser:
    def common(suppress: bool) -> argparse.ArgumentParser:
        # Below a subcommand the defaults are SUPPRESS, so a flag given before the
        # subcommand is not reset by it. Fresh actions each time: parents share them.
        extra = {"argument_default": argparse.SUPPRESS} if suppress else {}
        p = argparse.ArgumentParser(add_help=False, **extra)
        p.add_argument("--db", metavar="URL", help=_("database URL (default: FRONTDESK_DB or a SQLite file in the user data dir)"))
        p.add_argument("--lang", choices=("zh_CN", "en"), help=_("interface language (default zh_CN)"))
        p.add_argument("--config", metavar="FILE", help=_("settings file (default: FRONTDESK_CONFIG or the user config dir)"))
        return p

    parser = _TopParser(prog="frontdesk", description=_("Service-department console of a car dealership."),
                        parents=[common(False)])
    sub = parser.add_subparsers(dest="command", parser_class=argparse.ArgumentParser)
    sub.add_parser("run", parents=[common(True)], help=_("run the console (the default)"))

    db = sub.add_parser("db", parents=[common(True)], help=_("database maintenance"))
    db_sub = db.add_subparsers(dest="db_command", required=True)
    upg = db_sub.add_parser("upgrade", parents=[common(True)], help=_("create the database or upgrade it to this version"))
    upg.add_argument("--grant-to", metavar="ROLE",
                     help=_("PostgreSQL: let ROLE work as a terminal (no UPDATE/DELETE/TRUNCATE/ALTER of audit events)"))
    db_sub.add_parser("current", parents=[common(True)], help=_("show the schema revision"))

    demo = sub.add_parser("demo", parents=[common(True)], help=_("fill a database with a realistic demo store"))
    demo.add_argument("--days", type=int, default=90, help=_("days of history to generate (default 90)"))
    demo.add_argument("--seed", type=int, default=4, help=_("random seed, for a reproducible store"))
    demo.add_argument("--quiet", action="store_true", help=_("no progress bar"))

    board = sub.add_parser("board", parents=[common(True)], help=_("the workshop progress board (read-only, no login)"))
    board.add_argument("--serve", action="store_true", help=_("serve it to browsers through textual-serve"))
    board.add_argument("--host", default="127.0.0.1", help=_("address to listen on with --serve (default loopback)"))
    board.add_argument("--port", type=int, default=8000, help=_("port for --serve (default 8000)"))
    board.add_argument("--font-size", type=int, metavar="PX",
                       help=_("text size of the served page in pixels (default: chosen to fill the screen)"))

    prn = sub.add_parser("print", parents=[common(True)], help=_("print a document of an order as PDF (and to the printer)"))
    prn.add_argument("document", choices=("work-order", "checkin-sheet", "settlement", "gate-pass"))
    prn.add_argument("order_number", metavar="ORDER_NO")
    prn.add_argument("--out", metavar="DIR", help=_("folder for the PDF (default: the pdf_dir setting)"))
    prn.add_argument("--printer", metavar="NAME", help=_("send to this printer with lp (default: the printer setting)"))

    rep = sub.add_parser("report", parents=[common(True)],
                         help=_("the figures of a day or a date range (car count, revenue, hours, quality, per advisor)"))
    rep.add_argument("--from", dest="start", metavar="YYYY-MM-DD", type=_date, required=True, help=_("first day"))
    rep.add_argument("--to", dest="end", metavar="YYYY-MM-DD", type=_date, help=_("last day, included (default: --from)"))
    rep.add_argument("--out", metavar="FILE", help=_("write it to FILE.csv or FILE.xlsx instead of printing it"))
    ar = sub.add_parser("receivables", parents=[common(True)],
                        help=_("what accounts, insurers and the maker owe: by payer kind and age, tied to the settlements"))
    ar.add_argument("--out", metavar="FILE.xlsx", help=_("write the summary and every open receivable to FILE.xlsx"))

    stm = sub.add_parser("statement", parents=[common(True)],
                         help=_("a key account's monthly statement as PDF (--lang: its language) or XLSX"))
    stm.add_argument("account_code", metavar="ACCOUNT_CODE")
    stm.add_argument("--month", metavar="YYYY-MM", required=True, help=_("the month of the statement"))
    stm.add_argument("--out", metavar="FILE", required=True, help=_("FILE.pdf or FILE.xlsx"))

    imp = sub.add_parser("import", parents=[common(True)],
                         help=_("load a parts price list or labor-time table from CSV/XLSX (all rows or none)"))
    imp.add_argument("kind", choices=("parts", "labor", "campaigns", "packages"))
    imp.add_argument("file", metavar="FILE", help=_(".csv (UTF-8 or GBK) or .xlsx; Chinese or English headers"))
    imp.add_argument("--dry-run", action="store_true", help=_("only report what would be added, changed or rejected"))

    exp = sub.add_parser("export", parents=[common(True)], help=_("write orders, catalogs or customers to CSV/XLSX"))
    exp.add_argument("kind", choices=("orders", "parts", "labor", "customers", "packages", "claims"))
    exp.add_argument("--out", metavar="FILE", required=True, help=_("FILE.csv or FILE.xlsx"))
    exp.add_argument("--from", dest="start", metavar="YYYY-MM-DD", type=_date, help=_("orders: first check-in day"))
    exp.add_argument("--to", dest="end", metavar="YYYY-MM-DD", type=_date, help=_("orders: last day, included (default: --from)"))
    exp.add_argument("--user", metavar="USERNAME",
                     help=_("customers: a service manager's user name; the password is asked (or FRONTDESK_PASSWORD)"))
    exp.add_argument("--state", metavar="STATE",
                     help=_("claims: only the warranty claims in this state (draft, submitted, returned, approved, "
                            "paid, rejected, reassigned)"))

    bak = sub.add_parser("backup", parents=[common(True)],
                         help=_("a consistent copy of the database, safe while terminals are writing"))
    bak.add_argument("--out", metavar="FILE", help=_("where to write it (default: backups/ in the user data dir)"))
    res = sub.add_parser("restore", parents=[common(True)],
                         help=_("replace the database with a backup (checked first), then upgrade it"))
    res.add_argument("file", metavar="FILE", help=_("a file written by `frontdesk backup`"))
    res.add_argument("--yes", action="store_true", help=_("do not ask for confirmation"))

    aud = sub.add_parser("audit", parents=[common(True)], help=_("the audit trail"))
    aud_sub = aud.add_subparsers(dest="audit_command", required=True)
    ver = aud_sub.add_parser("verify", parents=[common(True)],
                             help=_("check the audit trail's hash chain; name the first broken link"))
    ver.add_argument("--store", metavar="CODE", help=_("only this store's chain (default: every store)"))

    users = sub.add_parser("users", parents=[common(True)], help=_("user accounts"))
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = users_sub.add_parser("add", parents=[common(True)], help=_("add a user"))
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=[r for r in _roles()])
    add.add_argument("--name", required=True, help=_("the person's name as printed on paperwork"))
    add.add_argument("--password", help=_("initial password (asked for when omitted; FRONTDESK_PASSWORD also works)"))
    users_sub.add_parser("list", parents=[common(True)], help=_("list users"))
    pw = users_sub.add_parser("passwd", parents=[common(True)], help=_("set a user's password"))
    pw.add_argument("username")
    pw.add_argument("--password", help=_("new password (asked for when omitted)"))
    return parser


LANGUAGES = ("zh_CN", "en")


def N_(msgid: str) -> str:  # noqa: N802 (the gettext marker's name)
    return msgid


#: argparse's own words (Python 3.11+), marked for the catalog: argparse asks for them itself.
ARGPARSE_MSGIDS = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("one of the arguments %s is required"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("can't open '%(filename)s': %(error)s"),
)


def choose_language(argv: Sequence[str]) -> str:
    """``--lang`` when given, else the settings' language (file, then FRONTDESK_LANG), else the default.

    Read before the parser exists: its help texts are translated as it is built. A settings
    file that cannot be read is reported by the command itself, later; here it only means
    the default language.
    """
    from pathlib import Path

    from frontdesk.config import load_settings

    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    early.add_argument("--config")
    known, _rest = early.parse_known_args(list(argv))
    lang = known.lang
    if lang not in LANGUAGES:
        try:
            lang = load_settings(Path(known.config) if known.config else None).language
        except (OSError, ValueError):
            lang = None
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    set_language(lang)
    return lang


@contextmanager
def argparse_in_our_language() -> Iterator[None]:
    """argparse's own words through frontdesk's catalog while a parser is built and used.

    argparse looks up ``_`` and ``ngettext`` (``gettext``'s) as module globals each time it
    says something; pointed at ours, "usage:", "options" and its errors follow ``--lang``
    without a compiled ``argparse`` catalog of our own beside the real ones. Restored after.
    """
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _, ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line in the chosen language (help and errors exit here, as argparse does)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    choose_language(argv)
    with argparse_in_our_language():
        return _parser().parse_args(argv)


class _TopParser(argparse.ArgumentParser):
    """``frontdesk --help`` ends with where the error log is: computed only when help is shown."""

    def format_help(self) -> str:
        from frontdesk.error_log import default_file

        self.formatter_class = argparse.RawDescriptionHelpFormatter  # the path on one line, never broken
        self.epilog = _("Unexpected errors are logged (with ids, no names or phones) in:") + f"\n  {default_file()}"
        return super().format_help()


def _date(text: str):  # type: ignore[no-untyped-def]
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a date (YYYY-MM-DD): {text!r}").format(text=text)) from None


def _roles() -> list[str]:
    from frontdesk.model.enums import Role

    return [r.value for r in Role]


def _settings(args: argparse.Namespace) -> Settings:
    from pathlib import Path

    from frontdesk.config import load_settings
    from frontdesk.i18n import set_language

    settings = load_settings(Path(args.config) if args.config else None, database_url=args.db, language=args.lang)
    set_language(settings.language)
    return settings


def open_services(settings: Settings, *, upgrade: bool = False, create: bool = True,
                  on_wait: Callable[[], None] | None = None) -> Services:
    """Connect, make sure the schema is current (SQLite upgrades itself), and the store exists.

    ``create=False`` refuses a missing SQLite file or an empty database instead of making a
    store there: a mistyped ``--db`` must not leave a fresh empty store (and its folder) behind.
    A store made by a newer frontdesk is refused, never "upgraded".
    """
    from frontdesk import migrate
    from frontdesk.db import Database, check_url, sqlite_file
    from frontdesk.services.driver_errors import StoreError, user_error, where
    from frontdesk.services.runtime import Services
    from frontdesk.services.sign_in import store_exists

    url = settings.resolved_database_url()
    check_url(url)
    no_store = _("No store at {store}; `frontdesk db upgrade` creates one.")
    path = sqlite_file(url)
    if not create and path is not None and not path.exists():
        raise StoreError(no_store.format(store=where(url)))
    db = Database(url, synchronous=settings.sqlite_synchronous)
    db.on_wait = on_wait
    db.map_error = user_error  # the schema check below reads through the driver
    try:
        current = not upgrade and migrate.is_up_to_date(db)  # read without SQLAlchemy: the usual start loads no ORM
        if not current:
            revision = migrate.current_revision(db)
            if revision is not None and not migrate.is_known(revision):
                raise StoreError(_("The store at {store} was made by a newer frontdesk (schema {revision}): use that"
                                   " version, or restore a backup made by this one.").format(store=where(url),
                                                                                            revision=revision))
            if revision is None and not create:
                raise StoreError(no_store.format(store=where(url)))
            if not (upgrade or db.is_sqlite or revision is None):
                raise StoreError(_("The database schema is older than this program: run `frontdesk db upgrade`"
                                   " first."))
            migrate.upgrade(db)
        if upgrade and path is not None:  # a store made before its files were private becomes so now
            from frontdesk.private_files import restrict

            for suffix in ("", "-wal", "-shm"):
                restrict(f"{path}{suffix}")
    except BaseException:
        db.dispose()
        raise
    services = Services(db=db, settings=settings)
    if not store_exists(services):  # the first start on a new database
        from frontdesk.services.setup import ensure_store

        ensure_store(services)
    return services


def _ask_password(given: str | None) -> str:
    if given:
        return given
    env = os.environ.get("FRONTDESK_PASSWORD")
    if env:
        return env
    _need_terminal()
    first = getpass.getpass(_("Password: "))
    if getpass.getpass(_("Again: ")) != first:
        raise SystemExit(_("The passwords differ."))
    return first


def _need_terminal() -> None:
    """getpass without a terminal reads stdin (a script's input) or dies with EOFError: say what to do instead."""
    if not sys.stdin.isatty():
        from frontdesk.services.errors import ValidationError

        raise ValidationError("password", _("There is no terminal to type the password on: set FRONTDESK_PASSWORD."))


def _system(services: Services):  # type: ignore[no-untyped-def]
    from frontdesk.services.setup import ensure_store, system_actor

    return system_actor(ensure_store(services))


def cmd_users(args: argparse.Namespace, services: Services) -> int:
    from frontdesk.services import auth
    from frontdesk.services.validation import shown  # stored text on a terminal: escapes shown, not obeyed

    if args.users_command == "list":
        for u in auth.list_users(services):
            state = _("active") if u.active else _("inactive")
            print(shown(f"{u.username:<16} {u.role.value:<15} {state:<9} {u.store_code:<6} {u.display_name}"))
        return 0
    if args.users_command == "add":
        info = auth.add_user(services, _system(services), args.username, args.name, args.role, _ask_password(args.password))
        print(_("Added {user} ({role}).").format(user=info.username, role=label(ROLE, info.role)))
        return 0
    auth.set_password(services, _system(services), args.username, _ask_password(args.password))
    print(_("Password changed for {user}.").format(user=args.username))
    return 0


def cmd_demo(args: argparse.Namespace, services: Services) -> int:
    from frontdesk.services.demo import DemoRefused, generate

    try:
        report = generate(services, days=args.days, seed=args.seed, progress=not args.quiet)
    except DemoRefused as exc:
        print(f"frontdesk demo: {exc}", file=sys.stderr)
        return 2
    print(report)
    return 0


def cmd_print(args: argparse.Namespace, services: Services) -> int:
    from pathlib import Path

    from frontdesk.paperwork import PaperworkError
    from frontdesk.services.documents import print_document

    try:
        printed = print_document(services, args.document, args.order_number,
                                 out_dir=Path(args.out) if getattr(args, "out", None) else None,
                                 lang=services.settings.language, printer=getattr(args, "printer", None))
    except PaperworkError as exc:
        print(f"frontdesk print: {exc}", file=sys.stderr)
        return 1
    print(printed.path)
    if printed.print_error:
        print(f"frontdesk print: {printed.print_error}", file=sys.stderr)
        return 1
    if printed.sent_to:
        print(_("Sent to printer {printer}.").format(printer=printed.sent_to))
    return 0


def cmd_report(args: argparse.Namespace, services: Services) -> int:
    """Read by the system with a manager's reading rights (like ``print``, whoever runs the shell command
    already holds the database); a file written with --out is audited as any export."""
    from dataclasses import replace
    from pathlib import Path

    from frontdesk.model.enums import Role
    from frontdesk.services import exports, reports

    _within_calendar(args.start, args.end)
    actor = replace(_system(services), role=Role.MANAGER)
    report = reports.report(services, actor, args.start, args.end or args.start)
    if getattr(args, "out", None):
        print(exports.export_report(services, actor, report, Path(args.out)))
    else:
        from frontdesk.services.validation import shown

        print(shown(exports.text_report(report), keep_newlines=True), end="")
    return 0


def cmd_receivables(args: argparse.Namespace, services: Services) -> int:
    """Read as the manager (like ``report``); a file written with --out is audited as any export."""
    from dataclasses import replace
    from pathlib import Path

    from frontdesk.model.enums import Role
    from frontdesk.services import receivables

    actor = replace(_system(services), role=Role.MANAGER)
    if getattr(args, "out", None):
        print(receivables.export_receivables(services, actor, Path(args.out)).path)
    else:
        from frontdesk.services.validation import shown

        print(shown(receivables.text_summary(receivables.summary(services, actor)), keep_newlines=True), end="")
    return 0


def cmd_statement(args: argparse.Namespace, services: Services) -> int:
    """Read as the manager (like ``report``): whoever runs the shell command already holds the database."""
    from dataclasses import replace
    from pathlib import Path

    from frontdesk.model.enums import Role
    from frontdesk.services import account_statement

    actor = replace(_system(services), role=Role.MANAGER)
    out = Path(args.out)
    if out.suffix.lower() not in (".pdf", ".xlsx"):
        from frontdesk.services.errors import ValidationError

        raise ValidationError("out", _("Write the statement to a .pdf or an .xlsx file."))
    account_id = account_statement.account_id_for_code(services, actor, args.account_code)
    print(account_statement.export_statement(services, actor, account_id, args.month, out,
                                             lang=services.settings.language).path)  # audited
    return 0


def _within_calendar(start, end) -> None:  # type: ignore[no-untyped-def]
    """A range is read up to the midnight after its last day: 9999-12-31 has none."""
    import datetime as dt

    from frontdesk.services.errors import ValidationError

    for flag, day in (("--from", start), ("--to", end)):
        if day is not None and day >= dt.date.max:
            raise ValidationError(flag, _("{day} is past the last day a range can cover: give an earlier date.").format(
                day=day.isoformat()))


def _progress():  # type: ignore[no-untyped-def]
    """A one-line counter on a terminal's stderr; nothing when piped."""
    if not sys.stderr.isatty():
        return None

    def show(stage: str, done: int, total: int) -> None:
        end = "\n" if total and done >= total and stage == "Writing" else ""
        count = f"{done}/{total}" if total else ""
        print(f"\r{_(stage)} {count}".ljust(40), end=end, file=sys.stderr, flush=True)

    return show


def print_import_report(report) -> None:  # type: ignore[no-untyped-def]
    from frontdesk.services.validation import shown

    print(report.summary())
    for error in report.errors:
        print(shown(f"  {error}"))  # a header or cell of the file is quoted: its escapes are shown, not obeyed
    for r in report.rejected:
        print(shown("  " + _("row {row}").format(row=r.row) + f"  {r.key or '-'}  {r.reason}"))


def cmd_import(args: argparse.Namespace, services: Services) -> int:
    """As the system (the shell user holds the database, as for ``users``); the commit is all rows or none."""
    from frontdesk.services import imports

    actor = _system(services)
    if args.kind == "campaigns":
        return _import_campaigns(args, services, actor)
    if args.kind == "packages":
        return _import_packages(args, services, actor)
    if args.dry_run:
        report = imports.dry_run(services, actor, args.kind, args.file, _progress())
        print_import_report(report)
        return 0 if report.ok else 1
    try:
        report = imports.import_catalog(services, actor, args.kind, args.file, _progress())
    except imports.ImportRejected as exc:
        print_import_report(exc.report)
        print(_("Nothing was imported."), file=sys.stderr)
        return 1
    print_import_report(report)
    return 0


def _import_packages(args: argparse.Namespace, services: Services, actor) -> int:  # type: ignore[no-untyped-def]
    """Service packages (services/package_files.py): reported as the catalogs are, every package or none."""
    from frontdesk.services import imports, package_files

    try:
        report = (package_files.dry_run if args.dry_run else package_files.import_packages)(services, actor, args.file)
    except imports.ImportRejected as exc:
        print_import_report(exc.report)
        print(_("Nothing was imported."), file=sys.stderr)
        return 1
    print_import_report(report)
    return 0 if report.ok else 1


def _import_campaigns(args: argparse.Namespace, services: Services, actor) -> int:  # type: ignore[no-untyped-def]
    """A maker's recall/service-campaign list: a line per campaign, then the rows left out or refusing it."""
    from frontdesk.services import campaign_import
    from frontdesk.services.validation import shown

    try:
        report = (campaign_import.dry_run if args.dry_run else campaign_import.import_campaigns)(
            services, actor, args.file)
    except campaign_import.CampaignImportRefused as exc:
        report = exc.report
    print(shown(report.summary()))
    for line in report.campaigns:
        print(shown("  " + line.line()))
    for r in report.skipped:
        print(shown("  " + _("row {row}").format(row=r.row) + f"  {r.key or '-'}  {r.reason}"))
    for error in report.errors if len(report.errors) > 1 else ():  # one is the summary line itself
        print(shown(f"  {error}"))
    if not report.ok:
        print(_("Nothing was imported."), file=sys.stderr)
        return 1
    return 0


def _manager(services: Services, username: str | None):  # type: ignore[no-untyped-def]
    """The customer export needs a service manager's own login: their password, asked now."""
    from frontdesk.model.enums import Role
    from frontdesk.services import auth
    from frontdesk.services.errors import PermissionDenied

    if not username:
        raise SystemExit(_("Exporting customer data needs --user with a service manager's user name."))
    password = os.environ.get("FRONTDESK_PASSWORD")
    if not password:
        _need_terminal()
        password = getpass.getpass(_("Password of {user}: ").format(user=username))
    actor = auth.login(services, username, password)
    if actor.role != Role.MANAGER:
        raise PermissionDenied(_("Only a service manager may export customer data."))
    return actor


def cmd_export(args: argparse.Namespace, services: Services) -> int:
    from frontdesk.services import data_exports

    if args.kind == "customers":
        done = data_exports.export_customers(services, _manager(services, getattr(args, "user", None)), args.out)
    elif args.kind == "orders":
        start = getattr(args, "start", None)
        if start is None:
            raise SystemExit(_("Exporting orders needs --from (and --to for more than one day)."))
        end = getattr(args, "end", None) or start
        _within_calendar(start, end)
        done = data_exports.export_orders(services, _system(services), start, end, args.out)
    elif args.kind == "claims":  # the maker's portal batch; the shell's user acts as the claims clerk
        from dataclasses import replace

        from frontdesk.model.enums import Role
        from frontdesk.services import warranty_claims

        done = warranty_claims.export_batch(services, replace(_system(services), role=Role.CLAIMS_CLERK),
                                            getattr(args, "state", None), args.out)
    elif args.kind == "packages":
        from frontdesk.services import package_files

        done = package_files.export_packages(services, _system(services), args.out)
    else:
        done = data_exports.export_catalog(services, _system(services), args.kind, args.out)
    print(_("{n} rows written to {path}").format(n=done.rows, path=done.path))
    return 0


def cmd_audit(args: argparse.Namespace, services: Services) -> int:
    """``audit verify``: one line, the first broken link (exit 1) or how many events hold (exit 0)."""
    from frontdesk.services.audit_chain import verify

    verdict = verify(services.db, getattr(args, "store", None))
    if not verdict.intact:
        print(f"frontdesk: {verdict.summary()}", file=sys.stderr)
        return 1
    print(verdict.summary())
    return 0


def cmd_grant(args: argparse.Namespace, services: Services) -> int:
    from frontdesk import migrate

    migrate.grant_terminal(services.db, args.grant_to)
    print(_("Role {role} may now work as a terminal: it reads and writes the store, and may only read and add "
            "audit events.").format(role=args.grant_to))
    return 0


def cmd_board(args: argparse.Namespace, settings: Settings) -> int:
    if not args.serve:  # each served board is a `frontdesk board` process of its own, and logs there
        from frontdesk import error_log

        error_log.configure()
    if args.serve:
        from frontdesk import board_serve

        # The database URL reaches the board processes in their environment, never their argv.
        server = board_serve.make_server(settings, args.host, args.port, getattr(args, "config", None),
                                         font_size=getattr(args, "font_size", None))
        print(_("Serving the board on http://{host}:{port}/ (its text sized to fill the screen; "
                "--font-size or ?fontsize=N to choose)").format(host=args.host, port=args.port))
        print(_("On a wall TV open http://{host}:{port}/tv (plate, stage and promised time in large type).")
              .format(host=args.host, port=args.port))
        server.serve()
        return 0
    services = open_services(settings, create=False)
    from frontdesk.board_app import BoardApp

    BoardApp(services).run()
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from frontdesk import error_log, gc_hold

    gc_hold.hold()  # until the first screen is painted (frontdesk.gc_hold)
    error_log.configure()  # cheap: the file is opened when the first error is written
    from functools import partial

    from frontdesk.app import make_app
    from frontdesk.config import default_database_url
    from frontdesk.deferred import DeferredServices

    # Only the first start on the default path makes a store: a mistyped --db is refused.
    opener = partial(open_services, create=settings.resolved_database_url() == default_database_url())
    # The login form is painted first; the database opens in a thread meanwhile (frontdesk.deferred).
    make_app(DeferredServices(settings, opener)).run()  # type: ignore[arg-type]
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = _settings(args)
    except (OSError, ValueError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        print("frontdesk: " + _("The settings file cannot be used ({reason}): correct it or point --config elsewhere."
                                ).format(reason=" ".join(str(exc).split())), file=sys.stderr)
        return 1
    url = settings.resolved_database_url()
    # The commands that open the store themselves (or not at all), and those that work on an open store.
    on_settings: dict[str | None, Callable[[argparse.Namespace, Settings], int]] = {
        None: cmd_run, "run": cmd_run, "board": cmd_board, "backup": cmd_backup, "restore": cmd_restore,
        "db": cmd_db,
    }
    on_services: dict[str, Callable[[argparse.Namespace, Services], int]] = {
        "users": cmd_users, "demo": cmd_demo, "print": cmd_print, "report": cmd_report, "import": cmd_import,
        "export": cmd_export, "audit": cmd_audit, "receivables": cmd_receivables, "statement": cmd_statement,
    }
    try:
        if args.command in on_settings:
            return on_settings[args.command](args, settings)
        services = open_services(settings, create=args.command == "demo", on_wait=_say_waiting)
        return on_services[args.command](args, services)
    except Exception as exc:  # one line for anything the user can act on; a bug keeps its traceback
        line = error_line(exc, url)
        if line is None:
            raise
        print(f"frontdesk: {line}", file=sys.stderr)
        return 1


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    if args.db_command == "upgrade":
        services = open_services(settings, upgrade=True, on_wait=_say_waiting)
        print(_("Database at revision {revision}: {url}").format(
            revision=_revision(services), url=services.db.engine.url.render_as_string(hide_password=True)))
        if getattr(args, "grant_to", None):
            return cmd_grant(args, services)
        return 0
    services = open_services(settings, create=False, on_wait=_say_waiting)
    print(_revision(services))
    return 0


def _say_waiting() -> None:
    print("frontdesk: " + _("Another terminal is saving; waiting for it…"), file=sys.stderr, flush=True)


def error_line(exc: BaseException, url: str) -> str | None:
    """What went wrong and what to do, in one line; None for an error that is a bug (shown as a traceback)."""
    from frontdesk.db import BadDatabaseURL
    from frontdesk.services.driver_errors import user_error
    from frontdesk.services.errors import FrontdeskError

    mapped = None if isinstance(exc, FrontdeskError) else user_error(exc, url)
    if isinstance(exc, FrontdeskError | BadDatabaseURL):
        text = str(exc)
    elif mapped is not None:
        text = str(mapped)
    elif isinstance(exc, ModuleNotFoundError) and (exc.name or "").startswith("psycopg"):
        text = _("PostgreSQL support is not installed here: pip install 'frontdesk[postgres]' (or use a SQLite store).")
    elif isinstance(exc, UnicodeDecodeError):
        text = _("The file is neither UTF-8 nor GBK text ({reason}): save it as CSV UTF-8 or as .xlsx.").format(
            reason=exc.reason)
    elif isinstance(exc, OSError):
        text = _("Cannot use {path}: {reason}. Give a path you may write to.").format(
            path=exc.filename or "", reason=exc.strerror or exc)
    else:
        return None
    return " ".join(text.split())


def _revision(services: Services) -> str:
    from frontdesk import migrate

    return migrate.current_revision(services.db) or "(empty)"


def _print_backup(info) -> None:  # type: ignore[no-untyped-def]
    print(_("Backup: {path}").format(path=info.path))
    print(_("Size: {size} bytes, schema revision {revision}").format(size=info.size, revision=info.revision or "-"))
    for table, count in info.counts.items():
        print(f"  {table:<16} {count:>9}")


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Works on the raw database (no login, no upgrade): whoever runs the shell command holds the file."""
    from pathlib import Path

    from frontdesk import backup

    out = getattr(args, "out", None)
    done = backup.backup(settings.resolved_database_url(), Path(out) if out else None)
    if isinstance(done, backup.Manual):
        print(_("pg_dump is not installed here. Run this on a machine that has it:"))
        print(f"  {done.command}")
        return 2
    _print_backup(done)
    print(_("Integrity check: ok"))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from frontdesk import backup

    url = settings.resolved_database_url()
    manual = backup.restore_command(Path(args.file), url)
    if manual:
        print(_("pg_restore is not installed here. Stop every terminal, then run:"))
        print(f"  {manual}")
        print(_("and afterwards: frontdesk db upgrade"))
        return 2
    info = backup.inspect_backup(Path(args.file), url)
    _print_backup(info)
    from frontdesk.redact import redact_url

    shown = redact_url(url)
    print(_("This replaces everything in {url} with the backup above.").format(url=shown))
    if not getattr(args, "yes", False):
        word = backup.CONFIRM_WORD
        try:
            answer = input(_("Type {word} to continue: ").format(word=word))
        except EOFError:
            answer = ""
        if answer.strip() != word:
            print(_("Nothing was restored."), file=sys.stderr)
            return 1
    revision = backup.restore(info, url)
    print(_("Restored; the database is at revision {revision}.").format(revision=revision))
    return 0
