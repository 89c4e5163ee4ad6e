"""Warranty claims written out for the maker's portal: one row per claimed line, CSV or XLSX.

Makers' portals take a batch upload of claims line by line (a labour code with its hours, a
part number with its quantity), each line repeating its claim's header (claim and order
numbers, VIN, mileage, fault, cause, remedy). The file is an audited export like every
other (services/export_files.py: 0600, in place only once its audit event is committed),
and its text cells are never formulas (services/spreadsheet_cells.py): fault, cause and
remedy are typed by people.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from frontdesk.i18n import gettext as _
from frontdesk.model import RepairOrder, Vehicle, WarrantyClaim
from frontdesk.model.warranty import ClaimState

from .context import Tx, service
from .data_exports import Cell, write_csv, write_xlsx
from .errors import ValidationError
from .export_files import Export, ExportFile, export_file, writing
from .exports import N_
from .runtime import Actor, Services
from .warranty_claims import claim_rows, state_label

COLUMNS: tuple[str, ...] = (
    N_("Claim"), N_("Order no."), N_("Maker ref"), N_("Revision"), N_("State"), N_("VIN"), N_("Plate"), N_("Make"),
    N_("Model"), N_("Repair date"), N_("Mileage km"), N_("Fault"), N_("Cause"), N_("Remedy"), N_("Line"),
    N_("Code / part no."), N_("Description"), N_("Hours / qty"), N_("Unit price"), N_("Amount"), N_("Claimed"),
)
TEXT_COLUMNS = frozenset({0, 1, 2, 5, 6, 15})  # numbers that are names: leading zeros kept


def _selection(selection: Sequence[int] | str | None) -> tuple[ClaimState | None, list[int] | None]:
    if selection is None:
        return None, None
    if isinstance(selection, str):
        try:
            return ClaimState(selection), None
        except ValueError:
            raise ValidationError("state", _("No claim state called {state}.").format(state=selection)) from None
    if any(isinstance(i, bool) or not isinstance(i, int) for i in selection):
        raise ValidationError("claims", _("Choose the claims to export."))
    return None, list(selection)


def claim_lines(tx: Tx, selection: Sequence[int] | str | None) -> Iterable[tuple[Cell, ...]]:
    state, ids = _selection(selection)
    rows = claim_rows(tx.session, tx.actor.store_id, tx.now.date(), state=state, ids=ids)
    if not rows:
        return []
    claims = {c.id: c for c in tx.session.scalars(select(WarrantyClaim).where(
        WarrantyClaim.id.in_([r.id for r in rows])))}
    vehicles = dict(tx.session.execute(select(RepairOrder.id, Vehicle).join(Vehicle, Vehicle.id == RepairOrder.vehicle_id)
                                       .where(RepairOrder.id.in_([r.order_id for r in rows]))).all())
    out: list[tuple[Cell, ...]] = []
    for row in rows:
        claim, vehicle = claims[row.id], vehicles[row.order_id]
        head: tuple[Cell, ...] = (
            row.number, row.order_number, claim.maker_ref, row.version_no, state_label(row.state), row.vin, row.plate,
            vehicle.make, vehicle.model, claim.repair_on.isoformat(), claim.mileage_km, claim.fault, claim.cause,
            claim.remedy)
        for line in claim.labour:
            out.append((*head, _("Labour"), line["code"], line["description"], _number(line["hours"]), None,
                        _number(line["amount"]), row.claimed))
        for line in claim.parts:
            out.append((*head, _("Part"), line["number"], line["name"], _number(line["qty"]),
                        _number(line["unit_price"]), _number(line["amount"]), row.claimed))
    return out


def _number(value: str) -> Cell:
    return Decimal(value)


def export_claims(services: Services, actor: Actor, selection: Sequence[int] | str | None,
                  path: Path | str) -> Export:
    """The chosen claims, one row per line, for the maker's portal."""
    return export_file(services, actor, claims_file, path, selection)


@service("warranty_claim.export")
def claims_file(tx: Tx, out: ExportFile, selection: Sequence[int] | str | None) -> Export:
    """:func:`export_claims`'s service: the staged file written and the export recorded."""
    rows = claim_lines(tx, selection)
    header = [_(c) for c in COLUMNS]
    with writing(out) as partial:
        n = (write_csv(partial, header, rows) if out.fmt == "csv"
             else write_xlsx(partial, header, rows, _("Warranty claims"), TEXT_COLUMNS))
    done = Export(out.path, n)
    tx.audit("warranty_claim_export", None, after={
        "selection": selection if selection is None or isinstance(selection, str) else list(selection),
        "path": str(done.path), "rows": done.rows})
    return done


__all__ = ["COLUMNS", "claim_lines", "claims_file", "export_claims"]
