"""The forms of the administration screens: users, passwords, role authority, teams, catalogs, stock.

All of them are one kind of dialog (:class:`FormDialog`): a title, a few labelled fields
(text, password or a choice), F6 or Enter saves, Esc goes back. What is typed goes to the
screen's ``save`` function as a dict of strings; the service call runs from the dialog in
a thread worker (screens/decision.py ``RecordDialog``), and a refusal is shown beside the
field it names while the dialog keeps what was typed. The builders below say which
fields each form has and what they start with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Select, Static

from frontdesk.i18n import gettext as _
from frontdesk.labels import ROLE, label
from frontdesk.model.enums import Role, VehicleSystem
from frontdesk.services.admin_views import (
    LaborRow,
    PartRow,
    Person,
    TeamRow,
    TechnicianRow,
    UserRow,
)
from frontdesk.services.money import format_money
from frontdesk.services.sanbao import SERIOUS, system_label
from frontdesk.widgets.key_footer import KeyFooter

from .decision import RecordDialog

Options = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FormField:
    """One row of a form: ``options`` makes it a choice, ``password`` hides what is typed."""

    name: str  # also the service's field name, so a refusal lands beside it
    label: str  # translated already
    value: str = ""
    options: Options | None = None
    password: bool = False
    placeholder: str = ""
    max_length: int = 120


class FormDialog(RecordDialog):
    """``FormDialog(title, fields, save, note=...)``: dismissed with what ``save`` returned, or None."""

    CSS_PATH = ["../assets/styles/dialog.tcss", "../assets/styles/admin_modals.tcss"]

    def __init__(self, title: str, fields: Sequence[FormField], save: Callable[[dict[str, str]], Any], *,
                 note: str = "") -> None:
        super().__init__(save)
        self._title = title
        self._fields = tuple(fields)
        self._note = note
        self.FIELDS = tuple(f.name for f in self._fields)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box admin-form"):
            yield Static(self._title, classes="dialog-title")
            if self._note:
                yield Static(self._note, classes="admin-form-note")
            for f in self._fields:
                with Horizontal(classes="dialog-row"):
                    yield Label(f.label, classes="dialog-label")
                    if f.options is not None:
                        yield Select(list(f.options), value=f.value, allow_blank=False, id=f.name, compact=True)
                    else:
                        yield Input(value=f.value, id=f.name, password=f.password, max_length=f.max_length,
                                    placeholder=f.placeholder, compact=True)
                yield Static("", id=f"{f.name}-error", classes="field-error")
            yield Static(_("F6 or Enter: save · Esc: back"), classes="dialog-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        first = next((f for f in self._fields if f.options is None), self._fields[0])
        self.query_one(f"#{first.name}").focus()

    def entered(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for f in self._fields:
            widget = self.query_one(f"#{f.name}")
            if isinstance(widget, Select):
                values[f.name] = "" if widget.is_blank() else str(widget.value)
            else:
                assert isinstance(widget, Input)
                values[f.name] = widget.value
        return values


NONE = ""  # the choice "nobody / no team"


def percent_text(share: Decimal | None) -> str:
    """0.05 -> "5", 0.075 -> "7.5" ("" when not set)."""
    if share is None:
        return ""
    return format((share * 100).normalize(), "f")


def role_options() -> Options:
    return tuple((label(ROLE, r), r.value) for r in Role)


def user_form(row: UserRow | None, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    """A new user (user name, name, role, first password) or an existing one's name, role and own authority."""
    fields = []
    if row is None:
        fields.append(FormField("username", _("User name"), max_length=40, placeholder=_("letters and digits, no spaces")))
    fields += [
        FormField("display_name", _("Name"), row.display_name if row else "", max_length=80),
        FormField("role", _("Role"), row.role.value if row else Role.ADVISOR.value, options=role_options()),
        FormField("discount_authority", _("Own discount %"), percent_text(row.own_authority) if row else "",
                  placeholder=_("empty: the role's"), max_length=6),
    ]
    if row is None:
        fields.append(FormField("password", _("First password"), password=True, max_length=128))
        title = _("New user")
    else:
        title = _("Edit user · {name}").format(name=row.username)
    note = _("A change of role or authority applies from the user's next login.") if row else ""
    return FormDialog(title, fields, save, note=note)


def password_form(row: UserRow, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("New password · {name} ({user})").format(name=row.display_name, user=row.username), [
        FormField("password", _("New password"), password=True, max_length=128),
        FormField("repeat", _("Repeat it"), password=True, max_length=128),
    ], save, note=_("Tell the user in person; it also lifts a lockout after failed logins."))


def authority_form(role: Role, share: Decimal, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("Discount authority · {role}").format(role=label(ROLE, role)), [
        FormField("percent", _("Discount up to %"), percent_text(share) or "0", max_length=6),
    ], save, note=_("The share of the customer's bill this role may give away without a manager; "
                    "it applies to the next settlement. A user's own authority still wins."))


def team_form(row: TeamRow | None, leaders: Sequence[Person], save: Callable[[dict[str, str]], Any]) -> FormDialog:
    options = ((_("— nobody —"), NONE), *((f"{p.display_name} ({label(ROLE, p.role)})", p.username) for p in leaders))
    current = row.leader_username if row and any(p.username == row.leader_username for p in leaders) else NONE
    title = _("Edit team · {name}").format(name=row.name) if row else _("New team")
    return FormDialog(title, [
        FormField("name", _("Team name"), row.name if row else "", max_length=80),
        FormField("skills", _("Skills"), ",".join(row.skills) if row else "", max_length=200,
                  placeholder=_("maintenance,brakes,…")),
        FormField("leader", _("Leader"), current, options=options),
    ], save)


def team_options(teams: Sequence[TeamRow]) -> Options:
    return ((_("— no team —"), NONE), *((t.name, str(t.id)) for t in teams))


def technician_form(row: TechnicianRow | None, teams: Sequence[TeamRow], users: Sequence[Person],
                    save: Callable[[dict[str, str]], Any]) -> FormDialog:
    accounts = ((_("— no account —"), NONE), *((f"{p.display_name} ({p.username})", p.username) for p in users))
    account = row.username if row and any(p.username == row.username for p in users) else NONE
    title = _("Edit technician · {name}").format(name=row.name) if row else _("New technician")
    return FormDialog(title, [
        FormField("name", _("Name"), row.name if row else "", max_length=80),
        FormField("team", _("Team"), str(row.team_id) if row and row.team_id else NONE, options=team_options(teams)),
        FormField("username", _("User account"), account, options=accounts),
        FormField("skills", _("Skills"), ",".join(row.skills) if row else "", max_length=200),
    ], save)


def assign_form(row: TechnicianRow, teams: Sequence[TeamRow], save: Callable[[dict[str, str]], Any]) -> FormDialog:
    return FormDialog(_("Assign to a team · {name}").format(name=row.name), [
        FormField("team", _("Team"), str(row.team_id) if row.team_id else NONE, options=team_options(teams)),
    ], save, note=_("Jobs already given to the technician stay with them."))


def system_options() -> Options:
    """The car's systems a labour operation can be on (三包 counts repeat repairs per system); serious ones marked."""
    return ((_("— none (routine work) —"), NONE),
            *((_("{system} (serious: 三包 repeats)").format(system=system_label(s)) if s in SERIOUS
               else system_label(s), s.value) for s in VehicleSystem))


def labor_form(row: LaborRow | None, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    fields = [] if row else [FormField("code", _("Code"), max_length=20)]
    fields += [
        FormField("name", _("Operation name"), row.name if row else ""),
        FormField("name_en", _("English name"), row.name_en if row else ""),
        FormField("std_hours", _("Standard hours"), format(row.std_hours, "f") if row else "", max_length=8),
        FormField("category", _("Category"), row.category if row else "", max_length=40),
        FormField("models", _("Models"), row.models if row else "", max_length=200,
                  placeholder=_("empty: every model")),
        FormField("safety", _("Safety-related"), "yes" if row and row.safety else "no",
                  options=((_("No"), "no"), (_("Yes"), "yes"))),
        FormField("system", _("Vehicle system"), row.system.value if row and row.system else NONE,
                  options=system_options()),
    ]
    title = _("Edit labor operation · {code}").format(code=row.code) if row else _("New labor operation")
    return FormDialog(title, fields, save)


def part_form(row: PartRow | None, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    fields = [] if row else [FormField("number", _("Part number"), max_length=40)]
    fields += [
        FormField("name", _("Part name"), row.name if row else ""),
        FormField("name_en", _("English name"), row.name_en if row else ""),
        FormField("unit", _("Unit"), row.unit if row else "pc", max_length=8),
        FormField("price", _("Price"), format(row.price, "f") if row else "", max_length=14),
        FormField("category", _("Category"), row.category if row else "", max_length=40),
        FormField("bin", _("Bin"), row.bin if row else "", max_length=20),
    ]
    title = _("Edit part · {number}").format(number=row.number) if row else _("New part")
    note = _("Stock is changed with S (adjust stock), never here.") if row else ""
    return FormDialog(title, fields, save, note=note)


def stock_form(row: PartRow, save: Callable[[dict[str, str]], Any]) -> FormDialog:
    note = _("{name}: on hand {on_hand} {unit}, reserved {reserved}, price {price}.").format(
        name=row.name, on_hand=format(row.on_hand.normalize(), "f"), unit=row.unit,
        reserved=format(row.reserved.normalize(), "f"), price=format_money(row.price))
    return FormDialog(_("Adjust stock · {number}").format(number=row.number), [
        FormField("delta", _("Change"), placeholder=_("+5 received, -2 damaged"), max_length=12),
        FormField("reason", _("Reason"), max_length=200, placeholder=_("stock count, damaged, goods received…")),
        FormField("bin", _("Bin"), row.bin, max_length=20),
    ], save, note=note)
