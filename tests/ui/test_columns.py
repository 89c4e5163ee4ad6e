"""Columns at 80 and 120 terminal columns (issue 17): the least important drop out, whole;
identifiers and amounts are never cut, and a part number or an order number reads in full.

Before, a list too wide for the terminal showed its last column cut at the edge (the
appointments' 车型 as one character, 工单号 as "GZ01-2") and a fixed-width column cut what
did not fit (3Q0698787MB as 3Q0698787M).
"""

from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from frontdesk.model.enums import Role
from frontdesk.widgets.list_table import Col, ListTable, declare_columns, fixed_columns

from ..factories import order_through
from .cashier_helpers import deliver_all, ready_fixture, settle  # noqa: F401  (a fixture)

PART = "3Q0698787MB"
ORDER = "GZ01-20261124-0007"


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ListTable(id="t")

    def on_mount(self) -> None:
        table = self.query_one(ListTable)
        fixed_columns(table, Col("Part no.", 10, whole=True), Col("Name", 20), Col("Amount", 6, whole=True, keep=9),
                      Col("Bin", 8, keep=2), Col("Supplier", 16, keep=1), Col("Order no.", 8, whole=True, keep=3))
        table.refill([
            ("a", (Text(PART, style="bold"), "前刹车片", Text("1,280.00", justify="right"), "A-01-1", "一汽大众配件中心",
                   ORDER)),
            ("b", ("06L115562B", "机油滤清器", "58.00", "A-02-3", "", "")),
        ])


def row_text(table: ListTable, row: int) -> str:
    return " ".join(str(c) for c in table.get_row_at(row))


@pytest.mark.parametrize("width,shown", [
    (120, ["Part no.", "Name", "Amount", "Bin", "Supplier", "Order no."]),
    (80, ["Part no.", "Name", "Amount", "Bin", "Order no."]),
    (60, ["Part no.", "Name", "Amount"]),
    (40, ["Part no.", "Amount"]),
])
async def test_the_least_important_columns_drop_out_whole(width, shown):
    app = TableApp()
    async with app.run_test(size=(width, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ListTable)
        assert table.shown_columns == shown
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.scrollable_content_region.width  # nothing runs off the edge, cut
        assert PART in row_text(table, 0) and "1,280.00" in row_text(table, 0)
        if "Order no." in shown:
            assert ORDER in row_text(table, 0)
        table.move_cursor(row=1)
        await pilot.resize_terminal(120, 12)
        await pilot.pause()
        assert table.shown_columns == ["Part no.", "Name", "Amount", "Bin", "Supplier", "Order no."]
        assert table.cursor_row == 1  # the widened table kept its cursor
        assert "一汽大众配件中心" in row_text(table, 0)  # the dropped cells come back


async def test_a_whole_column_is_as_wide_as_its_widest_cell():
    app = TableApp()
    async with app.run_test(size=(120, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ListTable)
        columns = list(table.columns.values())
        assert columns[0].get_render_width(table) - 2 * table.cell_padding >= len(PART)  # declared 10: not cut
        assert columns[-1].get_render_width(table) - 2 * table.cell_padding >= len(ORDER)
        assert PART in app.export_screenshot() and ORDER in app.export_screenshot()


async def test_a_plain_add_columns_table_drops_its_last_columns_first():
    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield ListTable(id="t")

        def on_mount(self) -> None:
            table = self.query_one(ListTable)
            declare_columns(table, "Time", "Plate", "Customer", "Requested work", "Phone", "Model", "Advisor")
            table.refill([("a", ("14:00", "粤C24680", "欧阳建国", "做首保，检查空调异味和刹车异响", "18688889999",
                                 "秦PLUS DM-i", "王芳"))])

    app = Plain()
    async with app.run_test(size=(80, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(ListTable)
        assert table.shown_columns[:4] == ["Time", "Plate", "Customer", "Requested work"]
        assert "Advisor" not in table.shown_columns
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.scrollable_content_region.width


@pytest.fixture
def at_the_cashier(ui_services, ui_actors, ready) -> int:
    """Two cars delivered, waiting to pay: the cashier's list."""
    deliver_all(ui_services, ui_actors, ready.order_id)
    from frontdesk.services import checkin

    svc, adv = ui_services, ui_actors[Role.ADVISOR]
    owner = checkin.save_customer(svc, adv, checkin.CustomerInput("刘洋", "13700001111")).id
    vehicle = checkin.save_vehicle(svc, adv, owner, checkin.VehicleInput(
        plate="粤D10001", vin="LSVAU2180N2100001", make="一汽-大众奥迪", model="Q5L 45 TFSI quattro",
        confirm_vin_check_digit=True)).id
    order_through(svc, ui_actors, ready.shop, vehicle, stop="delivered")
    return ready.order_id


@pytest.mark.parametrize("size,dropped", [((80, 24), {"Model", "Order no."}), ((120, 36), set())],
                         ids=["80x24", "120x36"])
async def test_the_cashier_list_keeps_plates_and_amounts_whole(app_for, ui_services, at_the_cashier, size, dropped):
    app = app_for(Role.CASHIER)
    async with app.run_test(size=size) as pilot:
        await settle(pilot, lambda: app.screen.query("#queue") and app.screen.query_one("#queue").row_count == 2)
        table = app.screen.query_one("#queue", ListTable)
        shown = set(table.shown_columns)
        assert not dropped & shown
        assert {"Plate", "Customer pays", "Paid so far", "Amount due"} <= shown
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= table.scrollable_content_region.width
        shot = app.export_screenshot()
        assert "630.00" in shot
        if "Order no." in shown:
            with ui_services.db.reader() as s:
                from frontdesk.model import RepairOrder

                number = s.get(RepairOrder, at_the_cashier).number
            assert number in "".join(row_text(table, r) for r in range(table.row_count))
