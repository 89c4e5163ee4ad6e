"""User-facing names of the stored codes (roles, pay types, panels...), as msgids.

Stored values stay English codes; screens show ``label(ROLE, role)``, translated at the
moment of display so a language switch takes effect at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from frontdesk.i18n import gettext as _

ROLE = {
    "advisor": "Service advisor", "supervisor": "Workshop supervisor", "team_leader": "Team leader",
    "technician": "Technician", "qc": "QC inspector", "cashier": "Cashier", "manager": "Service manager",
    "admin": "Administrator", "receptionist": "Receptionist",
    "claims_clerk": "Claims clerk", "insurance_clerk": "Insurance clerk",
}
# Reception (services/reception.py): why a car came, how it came against its appointment, where it is.
ARRIVAL_PURPOSE = {
    "appointment": "Appointment", "walk_in": "Walk-in repair", "pick_up": "Pick-up", "enquiry": "Enquiry / parts",
    "accident": "Accident / claim",
}
TIMELINESS = {"early": "early", "on_time": "on time", "late": "late"}
PAY_TYPE = {
    "customer": "Customer pay", "warranty": "Warranty", "insurance": "Insurance", "internal": "Internal",
    "first_service": "First free service",
}
PAYMENT_METHOD = {
    "cash": "Cash", "card": "Bank card", "wechat": "WeChat Pay", "alipay": "Alipay", "transfer": "Bank transfer",
}
# The order's and the job's states (services/lifecycle.py holds their transitions).
STATUS = {
    "check_in": "Checked in",
    "estimate": "Estimate",
    "authorised": "Authorised",
    "in_workshop": "In workshop",
    "ready": "Ready",
    "delivered": "Delivered",
    "settled": "Settled",
    "closed": "Closed",
    "cancelled": "Cancelled",
    "proposed": "Proposed",
    "approved": "Approved",
    "declined": "Declined",
    "assigned": "Assigned",
    "in_progress": "In progress",
    "paused": "Paused",
    "finished": "Finished",
    "self_checked": "Self-checked",
    "leader_checked": "Leader-checked",
    "qc_passed": "QC passed",
}
OLD_PARTS = {"take": "Customer takes the old parts", "leave": "Old parts left to the store"}
DAMAGE = {"scratch": "Scratch", "dent": "Dent", "chip": "Chip / paint loss", "crack": "Crack"}
DAMAGE_KEYS = {"scratch": "1", "dent": "2", "chip": "3", "crack": "4"}
# The letters printed on the check-in sheet's car diagram (the one table, shared with the paper).


def __getattr__(name: str) -> object:
    """``DAMAGE_CODES`` comes from the paperwork on first use: importing the paperwork's
    document classes costs the login screen's first paint ~15 ms."""
    if name == "DAMAGE_CODES":
        from frontdesk.paperwork.documents import DAMAGE_CODES

        return DAMAGE_CODES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


PANEL = {
    "front_bumper": "Front bumper", "bonnet": "Bonnet", "windscreen": "Windscreen", "roof": "Roof",
    "front_left_wing": "Front left wing", "front_right_wing": "Front right wing",
    "front_left_door": "Front left door", "front_right_door": "Front right door",
    "rear_left_door": "Rear left door", "rear_right_door": "Rear right door",
    "rear_left_wing": "Rear left wing", "rear_right_wing": "Rear right wing", "boot_lid": "Boot lid",
    "rear_window": "Rear window", "rear_bumper": "Rear bumper", "front_left_wheel": "Front left wheel",
    "front_right_wheel": "Front right wheel", "rear_left_wheel": "Rear left wheel",
    "rear_right_wheel": "Rear right wheel",
}
WARRANTY = {"in_warranty": "In warranty", "out_of_warranty": "Out of warranty", "undetermined": "Undetermined until diagnosed"}
ORIGIN = {"requested": "Requested", "recommended": "Recommended", "additional": "Additional"}
CHANNEL = {"phone": "Phone", "in_person": "In person", "wechat": "WeChat message", "sms": "Text message"}
CHECK_KIND = {"self": "Self-check", "leader": "Leader check", "qc": "Final QC"}
PRIORITY = {"normal": "Normal", "urgent": "Urgent", "rush": "Rush"}
PAUSE_REASON = {"waiting_parts": "Waiting parts", "waiting_approval": "Waiting approval", "other": "Other",
                "switched": "Switched to another job", "customer_approved": "Customer approved",
                "customer_declined": "Customer declined"}
UNISSUED_PARTS = {"customer_supplied": "Supplied by the customer", "not_needed": "Not needed"}
PART_ORDER = {"requested": "Requested", "ordered": "Ordered", "arrived": "Arrived"}
STAGE = {
    "waiting": "Waiting", "in_progress": "In progress", "waiting_parts": "Waiting parts",
    "waiting_approval": "Waiting approval", "checks": "Checks", "wash": "Wash", "ready": "Ready",
}


SKILL = {  # labor-operation categories, which are also the skills of teams and technicians
    "air_conditioning": "Air conditioning", "body": "Body", "brakes": "Brakes", "diagnostics": "Diagnostics",
    "electrical": "Electrical", "engine": "Engine", "glass": "Glass", "inspection": "Inspection",
    "maintenance": "Maintenance", "new_energy": "New energy", "paint": "Paint", "steering": "Steering",
    "suspension": "Suspension", "transmission": "Transmission", "tyres": "Tyres", "chassis": "Chassis",
}


def skills(values: Iterable[str]) -> str:
    return ", ".join(label(SKILL, v) for v in sorted(values))


def label(table: dict[str, str], value: str | Enum | None) -> str:
    if value is None:
        return ""
    key = value.value if isinstance(value, Enum) else value
    return _(table.get(key, key))


def status(value: str | Enum) -> str:
    return label(STATUS, value)

# After the visit (services/aftercare.py): the follow-up call's questions, call and case states,
# reminder call results.
SCORE_QUESTION = {
    "overall": "Overall", "advisor": "Advisor", "quality": "Repair quality", "timeliness": "On time",
    "price": "Price fairness",
}
FOLLOW_UP_STATUS = {"due": "Due", "done": "Done", "escalated": "Escalated"}
COMPLAINT_STATUS = {"open": "Open", "in_progress": "In progress", "resolved": "Resolved"}
REMINDER_RESULT = {
    "booked": "Will book / booked", "later": "Call again later", "declined": "Not interested",
    "elsewhere": "Serviced elsewhere", "no_answer": "No answer", "wrong_number": "Wrong number",
}

# The order-history screen (services/audit_views.py): what each audited action was, in words.
# An action missing here is shown by its code.
AUDIT_ACTION = {
    "order.check_in": "Checked in", "order.walkaround": "Walk-around recorded",
    "order.update_check_in": "Check-in changed", "estimate.add_job": "Job added", "estimate.add_part": "Part added",
    "estimate.update_job": "Job changed", "estimate.update_part": "Part line changed",
    "estimate.remove_line": "Line removed", "estimate.decline_job": "Job declined", "estimate.terms": "Estimate terms",
    "order.authorise": "Customer authorised", "order.reopen_estimate": "Estimate reopened",
    "order.cancel": "Order cancelled", "order.dispatch": "Dispatched", "job.assign": "Job assigned",
    "job.start": "Job started", "job.pause": "Job paused", "job.resume": "Job resumed", "job.finish": "Job finished",
    "parts.issue": "Parts issued", "parts.request": "Parts requested", "parts.order": "Parts ordered",
    "parts.receive": "Parts received", "job.propose": "Additional work proposed",
    "job.decide": "Customer decision", "order.reschedule": "Schedule slip", "job.self_check": "Self-check",
    "job.leader_check": "Leader check", "job.qc": "Final QC", "order.wash": "Washed",
    "order.reopen_workshop": "Back to the workshop", "delivery.internal_check": "Internal delivery check",
    "delivery.walkthrough": "Walkthrough with the customer", "order.deliver": "Delivered",
    "settlement.prepare": "Settlement prepared", "payment.take": "Payment taken", "payment.refund": "Refund",
    "payment.void": "Payment voided", "credit.approve": "Credit approved", "gate_pass.issue": "Gate pass issued",
    "followup.record": "Follow-up call recorded", "followup.close": "Follow-up closed", "complaint.open": "Complaint opened",
    "complaint.update": "Complaint updated", "audit.export": "History exported",
}
