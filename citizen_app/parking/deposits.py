"""Setoran: attendants record the cash they hand over; a city admin confirms it arrived."""

from sqlalchemy import select, update

import citizen_app.parking.messages  # noqa: F401
from citizen_app.audit.services import record
from citizen_app.cities.services import city_tz
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, Forbidden, NotFound
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.parking.models import CashDeposit
from citizen_app.parking.sessions import get_row


def record_deposit(actor: User, data: dict) -> CashDeposit:
    deposit = CashDeposit(attendant_id=actor.id, amount=data["amount"], note=data.get("note"),
                          deposited_on=data.get("deposited_on") or utcnow().astimezone(city_tz()).date())
    db.session.add(deposit)
    db.session.flush()
    record(actor.id, "parking.deposit_recorded", "parking_deposit", deposit.id, amount=deposit.amount)
    db.session.commit()
    return deposit


def confirm_deposit(actor: User, deposit_id: int) -> CashDeposit:
    deposit = get_row(CashDeposit, deposit_id)
    if deposit is None:
        raise NotFound()
    done = db.session.execute(update(CashDeposit).where(CashDeposit.id == deposit_id,
                                                        CashDeposit.status == "recorded")
                              .values(status="confirmed", confirmed_by_id=actor.id, confirmed_at=utcnow())).rowcount
    if not done:
        db.session.rollback()
        raise Conflict("This deposit is already confirmed.")
    record(actor.id, "parking.deposit_confirmed", "parking_deposit", deposit_id, amount=deposit.amount)
    db.session.commit()
    db.session.refresh(deposit)
    return deposit


def deposits_query(actor: User, args: dict):
    query = select(CashDeposit).order_by(CashDeposit.deposited_on.desc(), CashDeposit.id.desc())
    if actor.role == "parking_attendant":
        query = query.where(CashDeposit.attendant_id == actor.id)
    elif actor.role != "city_admin":
        raise Forbidden()
    elif args.get("attendant_id"):
        query = query.where(CashDeposit.attendant_id == args["attendant_id"])
    if args.get("status"):
        query = query.where(CashDeposit.status == args["status"])
    return query
