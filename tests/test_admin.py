"""Administration: users (never deleted), role discount authority, teams, catalogs and stock.

A login hands out a snapshot (:class:`Actor`): a role change or a deactivation applies at
that user's next login, while a role's discount authority is read when a settlement is
prepared, so it applies at once.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from frontdesk.model import AuditEvent, StockLevel, StockMovement, Technician, User
from frontdesk.model.enums import Role
from frontdesk.services import admin_views, auth, catalog, checkin, settlement, staff
from frontdesk.services.errors import ConflictError, PermissionDenied, ValidationError

from .conftest import PASSWORD
from .factories import customer_and_vehicle, order_through, seed_shop


def audits(services, action: str) -> list[AuditEvent]:
    with services.db.reader() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def user(services, username: str) -> User:
    with services.db.reader() as s:
        found = s.scalar(select(User).where(User.username == username))
        assert found is not None
        return found


# Users ------------------------------------------------------------------------------------------


def test_deactivated_user_cannot_log_in_and_reactivated_can(services, actors):
    admin = actors[Role.ADMIN]
    auth.add_user(services, admin, "li", "李娜", Role.CASHIER, "right-pass")
    auth.login(services, "li", "right-pass")
    info = auth.set_active(services, admin, "li", False)
    assert info.active is False
    with pytest.raises(PermissionDenied, match="deactivated"):
        auth.login(services, "li", "right-pass")
    assert user(services, "li").display_name == "李娜"  # kept, never deleted
    auth.set_active(services, admin, "li", True)
    assert auth.login(services, "li", "right-pass").role == Role.CASHIER
    changes = [(a.before, a.after) for a in audits(services, "user.update")]
    assert changes == [({"active": True}, {"active": False}), ({"active": False}, {"active": True})]


def test_an_administrator_cannot_lock_themselves_out(services, actors):
    admin = actors[Role.ADMIN]
    with pytest.raises(ValidationError, match="your own account"):
        auth.set_active(services, admin, admin.username, False)
    with pytest.raises(ValidationError, match="your own administrator role"):
        auth.update_user(services, admin, admin.username, role=Role.MANAGER)
    assert user(services, admin.username).active and user(services, admin.username).role == Role.ADMIN


def test_role_change_takes_effect_at_next_login(services, actors):
    admin, old = actors[Role.ADMIN], actors[Role.ADVISOR]
    auth.update_user(services, admin, old.username, role=Role.CASHIER, display_name="  Wang Fang  ")
    # The session already open keeps what it logged in with...
    assert checkin.save_customer(services, old, checkin.CustomerInput("张伟", "13800138000")).id
    # ...the next login gets the new role and name.
    new = auth.login(services, old.username, PASSWORD)
    assert (new.role, new.display_name) == (Role.CASHIER, "Wang Fang")
    with pytest.raises(PermissionDenied):
        checkin.save_customer(services, new, checkin.CustomerInput("李娜", "13912345678"))
    (event,) = audits(services, "user.update")
    assert event.before["role"] == "advisor" and event.after["role"] == "cashier"


def test_a_stale_edit_is_refused(services, actors):
    admin = actors[Role.ADMIN]
    info = auth.add_user(services, admin, "zhao", "赵磊", Role.QC, "right-pass")
    auth.update_user(services, admin, "zhao", display_name="赵磊磊", expected_version=info.version)
    with pytest.raises(ConflictError):
        auth.update_user(services, admin, "zhao", display_name="赵", expected_version=info.version)
    with pytest.raises(ValidationError):
        auth.update_user(services, admin, "zhao", display_name="  ")
    with pytest.raises(ValidationError):
        auth.update_user(services, admin, "zhao", role="boss")


def test_password_reset_replaces_the_old_one_and_lifts_a_lockout(services, actors, clock):
    admin = actors[Role.ADMIN]
    auth.add_user(services, admin, "sun", "孙丽", Role.ADVISOR, "old-pass")
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(PermissionDenied):
            auth.login(services, "sun", "wrong-pass")
    assert admin_views.users_view(services, admin).users[-1].locked or any(
        u.locked for u in admin_views.users_view(services, admin).users if u.username == "sun")
    auth.set_password(services, admin, "sun", "new-pass")
    with pytest.raises(PermissionDenied):
        auth.login(services, "sun", "old-pass")
    assert auth.login(services, "sun", "new-pass").username == "sun"
    assert [a.after for a in audits(services, "user.set_password")] == [{"password": "changed"}]


def test_users_view_shows_last_login_and_role_authorities(services, actors, clock):
    admin = actors[Role.ADMIN]
    clock.advance(hours=1)
    auth.login(services, "qc", PASSWORD)
    view = admin_views.users_view(services, admin)
    rows = {u.username: u for u in view.users}
    assert rows["qc"].last_login_at == clock.now
    assert rows["qc"].last_login_at > rows["advisor"].last_login_at
    roles = {r.role: r for r in view.roles}
    assert list(roles) == list(Role)
    assert roles[Role.ADVISOR].discount_authority == Decimal("0.05") and not roles[Role.ADVISOR].set_here
    assert roles[Role.ADVISOR].users == 1


# Role discount authority ---------------------------------------------------------------------


@pytest.fixture
def delivered(services, actors, admin):
    shop = seed_shop(services, admin, actors)
    _, vehicle = customer_and_vehicle(services, actors[Role.ADVISOR])
    return order_through(services, actors, shop, vehicle, stop="delivered")


def test_role_discount_authority_changes_what_settlement_accepts(services, actors, delivered):
    admin, advisor = actors[Role.ADMIN], actors[Role.ADVISOR]
    discount = settlement.SettlementInput(discount=Decimal("50.00"), safety_ack_by="张伟")  # 7.9 % of ¥630
    with pytest.raises(PermissionDenied, match="manager"):
        settlement.prepare_settlement(services, advisor, delivered.id, discount)
    assert auth.set_role_discount_authority(services, admin, Role.ADVISOR, "10") == Decimal("0.1")
    # The same session, no new login: the role's authority is read when the settlement is prepared.
    order = settlement.prepare_settlement(services, advisor, delivered.id, discount)
    assert order.discount == Decimal("50.00") and order.discount_by_id == advisor.user_id
    auth.set_role_discount_authority(services, admin, Role.ADVISOR, "5%")
    with pytest.raises(PermissionDenied):
        settlement.prepare_settlement(services, advisor, delivered.id, discount)
    (first, second) = audits(services, "role.discount_authority")
    assert first.before == {"role": "advisor", "discount_authority": "0.05"}
    assert first.after == {"role": "advisor", "discount_authority": "0.1"}
    assert second.after["discount_authority"] == "0.05"


def test_a_users_own_authority_still_wins_over_the_role(services, actors, delivered):
    admin = actors[Role.ADMIN]
    auth.update_user(services, admin, "advisor", discount_authority=Decimal("0.08"))
    advisor = auth.login(services, "advisor", PASSWORD)
    auth.set_role_discount_authority(services, admin, Role.ADVISOR, "0")
    order = settlement.prepare_settlement(services, advisor, delivered.id, settlement.SettlementInput(
        discount=Decimal("50.00"), safety_ack_by="张伟"))
    assert order.discount == Decimal("50.00")
    auth.update_user(services, admin, "advisor", discount_authority=None)  # back to the role's (0 %)
    advisor = auth.login(services, "advisor", PASSWORD)
    with pytest.raises(PermissionDenied):
        settlement.prepare_settlement(services, advisor, delivered.id, settlement.SettlementInput(
            discount=Decimal("1.00"), safety_ack_by="张伟"))


@pytest.mark.parametrize("typed", ["-1", "100.01", "abc", "1.234"])
def test_a_role_authority_out_of_range_is_refused(services, actors, typed):
    with pytest.raises(ValidationError):
        auth.set_role_discount_authority(services, actors[Role.ADMIN], Role.ADVISOR, typed)
    assert audits(services, "role.discount_authority") == []


def test_only_the_administrator_sets_role_authority(services, actors):
    with pytest.raises(PermissionDenied):
        auth.set_role_discount_authority(services, actors[Role.MANAGER], Role.ADVISOR, "20")


# Teams ----------------------------------------------------------------------------------------


def test_team_assignment_leader_and_skills(services, actors, admin):
    shop = seed_shop(services, admin, actors)
    boss = actors[Role.ADMIN]
    body = staff.save_team(services, boss, "钣喷组", skills="Body， paint、body", leader_username="supervisor")
    staff.assign_technician(services, boss, shop.tech_b, body.id)
    view = admin_views.teams_view(services, boss)
    teams = {t.name: t for t in view.teams}
    assert teams["钣喷组"].skills == ("body", "paint") and teams["钣喷组"].leader_username == "supervisor"
    assert teams["钣喷组"].technicians == ("Technician B",)
    assert teams["机修一组"].technicians == ("Technician A",)
    assert {p.username for p in view.leaders} == {"team_leader", "supervisor"}
    staff.save_technician(services, boss, "Technician B2", None, technician_id=shop.tech_b, skills="tyres")
    with services.db.reader() as s:
        tech = s.get(Technician, shop.tech_b)
        assert (tech.name, tech.team_id, tech.skills) == ("Technician B2", None, "tyres")
    with pytest.raises(ValidationError, match="already the account"):
        staff.save_technician(services, boss, "Technician E", body.id, username="technician")
    assert [a.after["team_id"] for a in audits(services, "team.save") if a.entity == "technician"][-2:] == [
        body.id, None]


# Catalogs and stock -----------------------------------------------------------------------------


def test_stock_adjust_keeps_stock_equal_to_its_movements(services, actors, admin):
    shop = seed_shop(services, admin, actors)
    manager = actors[Role.MANAGER]
    assert catalog.adjust_stock(services, manager, shop.brake_pads, "+4", "goods received") == Decimal(5)
    assert catalog.adjust_stock(services, manager, shop.brake_pads, "-1.5", "stock count") == Decimal("3.5")
    with pytest.raises(ValidationError, match="below zero"):
        catalog.adjust_stock(services, manager, shop.brake_pads, "-9", "stock count")
    with pytest.raises(ValidationError):
        catalog.adjust_stock(services, manager, shop.brake_pads, "0", "nothing")
    with pytest.raises(ValidationError):
        catalog.adjust_stock(services, manager, shop.brake_pads, "2", "   ")
    catalog.adjust_stock(services, manager, shop.brake_pads, "0", "moved", bin="B-02-3")
    with services.db.reader() as s:
        level = s.scalar(select(StockLevel).where(StockLevel.part_id == shop.brake_pads))
        moved = s.scalar(select(func.sum(StockMovement.qty)).where(StockMovement.part_id == shop.brake_pads))
        reasons = s.scalars(select(StockMovement.reason).where(StockMovement.part_id == shop.brake_pads)
                            .order_by(StockMovement.id)).all()
    assert level.on_hand == moved == Decimal("3.5") and level.bin == "B-02-3"
    assert reasons == ["opening stock", "goods received", "stock count"]
    assert [a.after["reason"] for a in audits(services, "stock.adjust")][-3:] == ["goods received", "stock count", "moved"]


def test_catalog_rows_search_by_code_name_and_initials(services, actors, admin):
    seed_shop(services, admin, actors)
    manager = actors[Role.MANAGER]
    catalog.save_labor_operation(services, manager, catalog.LaborOpInput(
        "MT0102", "更换空调滤清器", "0.50", "Cabin filter", "maintenance", models="朗逸,速腾"))
    assert [r.code for r in admin_views.labor_rows(services, manager, "ghkt")] == ["MT0102"]
    assert [r.code for r in admin_views.labor_rows(services, manager, "mt01")] == ["MT0101", "MT0102"]
    (cabin,) = admin_views.labor_rows(services, manager, "空调")
    assert (cabin.models, cabin.std_hours, cabin.category) == ("朗逸,速腾", Decimal("0.50"), "maintenance")
    assert len(admin_views.labor_rows(services, manager)) == 4
    catalog.save_part(services, manager, catalog.PartInput("5Q0698151", "前刹车片", "720.00", unit="set", bin="C-01"))
    (pads,) = admin_views.part_rows(services, manager, "qscp")
    assert (pads.price, pads.on_hand, pads.bin, pads.unit) == (Decimal("720.00"), Decimal(1), "C-01", "set")
    assert [r.number for r in admin_views.part_rows(services, manager, "LQ-")] == ["LQ-0001"]
    (edit,) = [a for a in audits(services, "catalog.save") if a.after.get("bin")]
    assert edit.before["price"] == "680.00" and edit.after["price"] == "720.00"


def test_every_admin_action_writes_its_audit_event(services, actors, admin):
    shop = seed_shop(services, admin, actors)
    boss = actors[Role.ADMIN]
    calls = [
        ("user.add", lambda: auth.add_user(services, boss, "new", "新人", Role.ADVISOR, "start-pass")),
        ("user.update", lambda: auth.update_user(services, boss, "new", role=Role.CASHIER)),
        ("user.update", lambda: auth.set_active(services, boss, "new", False)),
        ("user.set_password", lambda: auth.set_password(services, boss, "new", "other-pass")),
        ("role.discount_authority", lambda: auth.set_role_discount_authority(services, boss, Role.CASHIER, "1")),
        ("team.save", lambda: staff.save_team(services, boss, "快修组", skills="tyres")),
        ("team.save", lambda: staff.save_technician(services, boss, "Technician F", shop.team)),
        ("team.save", lambda: staff.assign_technician(services, boss, shop.tech_a, None)),
        ("catalog.save", lambda: catalog.save_labor_operation(services, boss, catalog.LaborOpInput("TY0101", "轮胎换位", "0.4"))),
        ("catalog.save", lambda: catalog.save_part(services, boss, catalog.PartInput("TY-1", "气门嘴", "5"))),
        ("stock.adjust", lambda: catalog.adjust_stock(services, boss, shop.oil_filter, "2", "received")),
    ]
    for action, call in calls:
        before = len(audits(services, action))
        call()
        events = audits(services, action)
        assert len(events) == before + 1, action
        assert events[-1].user_id == boss.user_id
