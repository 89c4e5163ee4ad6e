"""Every closed set of values the model stores, as ``StrEnum`` so rows hold readable text."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADVISOR = "advisor"
    SUPERVISOR = "supervisor"
    TEAM_LEADER = "team_leader"
    TECHNICIAN = "technician"
    QC = "qc"
    CASHIER = "cashier"
    MANAGER = "manager"
    ADMIN = "admin"
    RECEPTIONIST = "receptionist"  # 前台接待: registers arriving cars (issue 20)
    CLAIMS_CLERK = "claims_clerk"  # 索赔员: warranty claims to the maker, the old-parts ledger (issue 21)
    INSURANCE_CLERK = "insurance_clerk"  # 保险专员: accident repairs and what insurers owe (issue 21)


class OrderStatus(StrEnum):
    CHECK_IN = "check_in"
    ESTIMATE = "estimate"
    AUTHORISED = "authorised"
    IN_WORKSHOP = "in_workshop"
    READY = "ready"
    DELIVERED = "delivered"
    SETTLED = "settled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    DECLINED = "declined"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    FINISHED = "finished"
    SELF_CHECKED = "self_checked"
    LEADER_CHECKED = "leader_checked"
    QC_PASSED = "qc_passed"


class PauseReason(StrEnum):
    WAITING_PARTS = "waiting_parts"
    WAITING_APPROVAL = "waiting_approval"
    OTHER = "other"
    SWITCHED = "switched"  # the technician started another job (one job at a time)
    # The answer a job paused for approval waited for has come: it may go on.
    CUSTOMER_APPROVED = "customer_approved"
    CUSTOMER_DECLINED = "customer_declined"


class UnissuedPartsReason(StrEnum):
    """Why a job was finished with parts of it not issued from the store room."""

    CUSTOMER_SUPPLIED = "customer_supplied"
    NOT_NEEDED = "not_needed"


class JobPriority(StrEnum):
    """How soon the workshop takes a job: dispatch sorts by it (see ``PRIORITY_RANK``)."""

    NORMAL = "normal"
    URGENT = "urgent"
    RUSH = "rush"


#: Higher goes first.
PRIORITY_RANK = {JobPriority.NORMAL: 0, JobPriority.URGENT: 1, JobPriority.RUSH: 2}


class PartOrderState(StrEnum):
    """A part short in stock: requested by the workshop, ordered from the supplier, arrived."""

    REQUESTED = "requested"
    ORDERED = "ordered"
    ARRIVED = "arrived"


class JobOrigin(StrEnum):
    REQUESTED = "requested"
    RECOMMENDED = "recommended"
    ADDITIONAL = "additional"


class PayType(StrEnum):
    CUSTOMER = "customer"
    WARRANTY = "warranty"
    INSURANCE = "insurance"
    INTERNAL = "internal"
    FIRST_SERVICE = "first_service"


class VehicleSystem(StrEnum):
    """The system of the car a labour operation works on: 三包 counts repeat repairs per system."""

    ENGINE = "engine"
    TRANSMISSION = "transmission"
    STEERING = "steering"
    BRAKES = "brakes"
    SUSPENSION = "suspension"
    DRIVE = "drive"  # axles, drive shafts, differential
    BODY = "body"
    ELECTRICAL = "electrical"
    OTHER = "other"


class SanbaoState(StrEnum):
    """Where a car stands under 三包 (services/sanbao.py), kept on each order."""

    NONE = "none"  # out of its period, or its sale date is not known
    IN_PERIOD = "in_period"
    WARNING = "warning"  # near a threshold: the manager watches it
    THRESHOLD = "threshold"  # a threshold reached: the customer may ask for a replacement or refund


class PayerKind(StrEnum):
    """Who owes a receivable (model/payment.py)."""

    ACCOUNT = "account"  # a key account, billed monthly
    INSURER = "insurer"
    MAKER = "maker"  # warranty and goodwill claims
    CUSTOMER = "customer"  # a rejected claim's cost moved back to the customer


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    TRANSFER = "transfer"


class OldParts(StrEnum):
    TAKE = "take"
    LEAVE = "leave"


class Damage(StrEnum):
    SCRATCH = "scratch"
    DENT = "dent"
    CHIP = "chip"
    CRACK = "crack"


class Panel(StrEnum):
    """Body panels of the walkaround grid, front to back, left (driver) side first."""

    FRONT_BUMPER = "front_bumper"
    BONNET = "bonnet"
    WINDSCREEN = "windscreen"
    ROOF = "roof"
    FRONT_LEFT_WING = "front_left_wing"
    FRONT_RIGHT_WING = "front_right_wing"
    FRONT_LEFT_DOOR = "front_left_door"
    FRONT_RIGHT_DOOR = "front_right_door"
    REAR_LEFT_DOOR = "rear_left_door"
    REAR_RIGHT_DOOR = "rear_right_door"
    REAR_LEFT_WING = "rear_left_wing"
    REAR_RIGHT_WING = "rear_right_wing"
    BOOT_LID = "boot_lid"
    REAR_WINDOW = "rear_window"
    REAR_BUMPER = "rear_bumper"
    FRONT_LEFT_WHEEL = "front_left_wheel"
    FRONT_RIGHT_WHEEL = "front_right_wheel"
    REAR_LEFT_WHEEL = "rear_left_wheel"
    REAR_RIGHT_WHEEL = "rear_right_wheel"


class CheckKind(StrEnum):
    SELF = "self"
    LEADER = "leader"
    QC = "qc"


class DecisionChannel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    WECHAT = "wechat"
    SMS = "sms"


class WarrantyStatus(StrEnum):
    IN_WARRANTY = "in_warranty"
    OUT_OF_WARRANTY = "out_of_warranty"
    UNDETERMINED = "undetermined"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class ArrivalPurpose(StrEnum):
    """Why a car came in, as the receptionist asks at the door."""

    APPOINTMENT = "appointment"
    WALK_IN = "walk_in"  # a repair without a booking
    PICK_UP = "pick_up"  # collecting a car
    ENQUIRY = "enquiry"  # a question, parts at the counter
    ACCIDENT = "accident"  # an accident or insurance claim


class ArrivalStatus(StrEnum):
    WAITING = "waiting"
    TAKEN = "taken"  # an advisor has the customer
    LEFT = "left"  # went without being served


class Timeliness(StrEnum):
    """How a booked car came against its appointment time (the window is reception.ON_TIME_MINUTES)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"


class DeliveryStage(StrEnum):
    INTERNAL = "internal"
    WALKTHROUGH = "walkthrough"


class PaymentKind(StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class FollowUpStatus(StrEnum):
    DUE = "due"
    DONE = "done"
    ESCALATED = "escalated"


class ComplaintStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


class StockMovementKind(StrEnum):
    RECEIPT = "receipt"
    ISSUE = "issue"
    RETURN = "return"
    ADJUST = "adjust"
