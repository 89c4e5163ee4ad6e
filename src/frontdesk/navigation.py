"""Where a user can go: one list read by the command palette, the help screen and the home screen.

Screens are imported when opened, not at startup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from frontdesk.model.enums import Role
from frontdesk.services.permissions import PERMISSIONS

if TYPE_CHECKING:
    from textual.screen import Screen

# What each destination needs: a screen is offered to a role that may do (one of) these.
# The permissions are the services' own table (services/permissions.py), so a role that can
# open a screen can also do what the screen is for.
DESK = ("order.check_in",)
CASHIER = ("payment.take",)


def roles_for(*actions: str) -> frozenset[Role]:
    return frozenset().union(*(PERMISSIONS[action] for action in actions))


CASHIER_ROLES = roles_for(*CASHIER)  # the cashier desk's roles: the desk home hands them settled cars


@dataclass(frozen=True)
class Destination:
    key: str
    title: str  # msgid
    help: str  # msgid
    target: str  # "module:Class"
    needs: tuple[str, ...]  # permissions (services/permissions.py): a role with any of them may open it
    per_order: bool = False  # opened for one order (``order_id=``): reached from a list, not the palette

    @property
    def roles(self) -> frozenset[Role]:
        return roles_for(*self.needs)

    def open(self, **kwargs: object) -> Screen:
        module, cls = self.target.split(":")
        return getattr(import_module(module), cls)(**kwargs)


DESTINATIONS: tuple[Destination, ...] = (
    Destination("desk", "Desk home", "Today's cars, appointments, follow-ups; search", "frontdesk.screens.desk_home:DeskHomeScreen", DESK),
    Destination("checkin", "New check-in", "Check a car in: customer, vehicle, odometer, concerns", "frontdesk.screens.checkin:CheckInScreen", DESK),
    Destination("reception", "Reception", "Arrivals in order: register a car at the door, the queue with waiting times, the advisor rotation, take the next customer", "frontdesk.screens.reception:ReceptionScreen", ("arrival.register", "arrival.take")),
    Destination("appointments", "Appointments", "Book, move or cancel appointments", "frontdesk.screens.appointments:AppointmentsScreen", ("appointment.book",)),
    Destination("appointment_calls", "Appointment reminder calls", "The day before: call tomorrow's appointments to confirm, move or cancel; no answer is tried again", "frontdesk.screens.appointment_calls:AppointmentCallsScreen", ("appointment.remind",)),
    Destination("approvals", "Approvals", "Additional work waiting for the customer's decision; schedule slips", "frontdesk.screens.approvals:ApprovalsScreen", ("job.decide",)),
    Destination("follow_ups", "Follow-up calls", "Calls due after delivery: record reached with scores, or not reached; escalated calls", "frontdesk.screens.follow_ups:FollowUpsScreen", ("followup.record",)),
    Destination("complaints", "Complaints", "Complaint cases: owner, status, resolution (the service manager updates them)", "frontdesk.screens.complaints:ComplaintsScreen", ("complaint.open",)),
    Destination("reminders", "Service reminders", "Cars due for their next service by date or estimated mileage; record reminder calls", "frontdesk.screens.reminders:RemindersScreen", ("reminder.record",)),
    Destination("sanbao", "三包 watch list", "Cars in their 三包 period (repair, replacement, return) near a threshold: days in the workshop, repeat repairs of a serious fault", "frontdesk.screens.sanbao:SanbaoScreen", ("sanbao.view",)),
    Destination("campaigns", "Campaigns", "Recall and service campaigns (召回/服务活动) by VIN: progress, each car's outcome, the call list and its export", "frontdesk.screens.campaigns:CampaignsScreen", ("campaign.view",)),
    Destination("checks", "Checks and QC", "Leader checks, final QC, wash; cars ready", "frontdesk.screens.checks:ChecksScreen", ("job.leader_check", "job.qc")),
    Destination("dispatch", "Dispatch", "Assign work to technicians by priority and skill; load, parts on order, efficiency", "frontdesk.screens.dispatch:DispatchScreen", ("order.dispatch",)),
    Destination("technician", "My jobs", "Start, pause, finish; issue parts; additional work; checks", "frontdesk.screens.technician:TechnicianScreen", ("job.start",)),
    Destination("cashier", "Cashier desk", "Cars to deliver, to pay and to let out: payments, statements, gate passes", "frontdesk.screens.cashier_home:CashierHomeScreen", CASHIER),
    Destination("accounts", "Accounts", "Key, institutional, government and fleet accounts (大客户/挂账): what each owes by age, transfers received, write-offs, the monthly statement", "frontdesk.screens.accounts:AccountsScreen", ("account.view",)),
    Destination("walkaround", "Walkaround", "Covers, damage marks, checklist and valuables with the customer", "frontdesk.screens.walkaround:WalkaroundScreen", ("order.walkaround",), per_order=True),
    Destination("estimate", "Estimate", "Jobs and parts, pay types, totals, promised time; the customer signs", "frontdesk.screens.estimate:EstimateScreen", ("estimate.add_job",), per_order=True),
    Destination("delivery", "Delivery checklist", "Internal check and walkthrough with the customer, then deliver", "frontdesk.screens.delivery:DeliveryScreen", ("order.deliver", *CASHIER), per_order=True),
    Destination("settlement", "Settlement", "The bill by payer, discount, receivables, next service and follow-up time", "frontdesk.screens.settlement:SettlementScreen", ("settlement.prepare",), per_order=True),
    Destination("payment", "Payment", "Payments, change, void, credit, settlement statement and gate pass", "frontdesk.screens.payment:PaymentScreen", CASHIER, per_order=True),
    Destination("users", "Users and roles", "Add, edit, deactivate users; reset passwords; discount authority by role", "frontdesk.screens.admin_users:AdminUsersScreen", ("user.add",)),
    Destination("teams", "Teams and technicians", "Workshop teams: leader, skills, technicians; assign a technician to a team", "frontdesk.screens.admin_teams:AdminTeamsScreen", ("team.save",)),
    Destination("catalogs", "Catalogs", "Labor operations and parts: search, edit, adjust stock with a reason", "frontdesk.screens.catalogs:CatalogsScreen", ("catalog.view",)),
    Destination("packages", "Service packages", "Service packages (保养套餐): labour and parts by make, model and interval; edit, withdraw, export, import", "frontdesk.screens.packages:PackagesScreen", ("catalog.save",)),
    Destination("settings", "Settings", "Letterhead, VAT and labor rates, warranty terms, follow-up delay, idle lock, language, printer, PDF folder", "frontdesk.screens.settings:SettingsScreen", ("settings.save",)),
    Destination("import", "Import and export", "Load parts price lists and labor-time tables from CSV or Excel (dry run first, then every row or none); export catalogs and orders", "frontdesk.screens.import_file:ImportFileScreen", ("catalog.import",)),
    Destination("reports", "Reports", "Car count, revenue by labor/parts and pay type, hours and efficiency, rework, comebacks, CSI, per advisor; CSV and Excel", "frontdesk.screens.reports:ReportsScreen", ("report.export",)),
    Destination("receivables", "Receivables", "What accounts, insurers, the maker and customers owe, by age (应收账款): follow-ups due, payers' credit, the tie to the settlements; Excel", "frontdesk.screens.receivables:ReceivablesScreen", ("receivable.view",)),
    Destination("order_history", "Order history", "Who did what to this order and when, with the values before and after; CSV and Excel export (manager, administrator)", "frontdesk.screens.order_history:OrderHistoryScreen", ("audit.view",), per_order=True),
    Destination("warranty_claims", "Warranty claims", "Claims to the maker (索赔) by state, deadline alerts first; warranty orders still to claim; the maker's payment over several claims", "frontdesk.screens.warranty_claims:WarrantyClaimsScreen", ("warranty_claim.view",)),
    Destination("warranty_claim", "Warranty claim", "One claim: fault, cause, remedy, mileage and lines; submit, the maker's return, approval or rejection; its old parts", "frontdesk.screens.warranty_claim:WarrantyClaimScreen", ("warranty_claim.view",), per_order=True),
    Destination("old_parts", "Old-parts ledger", "The old-parts ledger (旧件台账): replaced warranty parts tagged and stored, shipped back to the maker or scrapped", "frontdesk.screens.old_parts:OldPartsScreen", ("old_part.record",)),
    Destination("accident", "Accident claim", "An accident repair's insurer claim: report number, assessment and supplements, the papers and their delivery (事故车)", "frontdesk.screens.accident:AccidentScreen", ("accident.view",), per_order=True),
    Destination("insurer_collection", "Insurer collection", "What insurers owe by age: follow-ups, insurer payments matched to claims, the assessed-to-paid gap (保险应收)", "frontdesk.screens.insurer_collection:InsurerCollectionScreen", ("accident.view",)),
)


_HOMES = {Role.SUPERVISOR: "dispatch", Role.TECHNICIAN: "technician", Role.TEAM_LEADER: "technician", Role.QC: "checks",
          Role.CASHIER: "cashier", Role.ADMIN: "users", Role.RECEPTIONIST: "reception",
          Role.CLAIMS_CLERK: "warranty_claims", Role.INSURANCE_CLERK: "insurer_collection"}


def _home_destination(role: Role) -> Destination | None:
    if role in roles_for(*DESK):
        return DESTINATIONS[0]
    return next((d for d in DESTINATIONS if d.key == _HOMES[role]), None) if role in _HOMES else None


def home_for(role: Role) -> Callable[[], Screen]:
    """The first screen after login for this role."""
    dest = _home_destination(role)
    if dest is not None:
        return lambda: dest.open()
    from frontdesk.screens.role_home import RoleHomeScreen

    return RoleHomeScreen


def home_module(role: Role) -> str:
    """The module of that screen: the login form loads it while the password is being typed."""
    dest = _home_destination(role)
    return dest.target.split(":")[0] if dest is not None else "frontdesk.screens.role_home"


def allowed(role: Role) -> list[Destination]:
    return [d for d in DESTINATIONS if role in d.roles and not d.per_order]
