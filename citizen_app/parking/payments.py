"""Paying for a session (QRIS, wallet, cash) and topping up a wallet. Every payment settles through
`mark_paid`, which a payment passes exactly once however often a webhook repeats."""

import logging
import secrets

from flask import current_app
from sqlalchemy import select, update

import citizen_app.parking.messages  # noqa: F401
from citizen_app.audit.services import record
from citizen_app.cities.pack import CityPack
from citizen_app.cities.services import city_tz, current_city_code
from citizen_app.common.time import utcnow
from citizen_app.errors import Conflict, Forbidden, NotFound, Unauthorized, Unavailable
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.permissions import require_zone_scope
from citizen_app.notifications.events import notify
from citizen_app.parking import ledger, providers, qris
from citizen_app.parking.models import ParkingSession, Payment
from citizen_app.parking.sessions import get_row, present, stop_if_active, visible_session

log = logging.getLogger(__name__)
_merchants: dict[str, qris.Merchant] = {}


def merchant() -> qris.Merchant:
    code = current_city_code()
    if code not in _merchants:
        pack = CityPack.named(code)
        city_name = pack.profile["name"].upper()
        fields = (pack.read_json("parking.json", fallback_to_default=False) or {}).get("qris", {})
        config = current_app.config
        _merchants[code] = qris.Merchant(
            gui=config.get("PAYMENT_QRIS_GUI", "ID.CO.DEMO.WWW"),
            merchant_id=config.get("PAYMENT_QRIS_MERCHANT_ID", "DEMO000000000001"),
            merchant_pan=config.get("PAYMENT_QRIS_MERCHANT_PAN", ""),
            nmid=config.get("PAYMENT_QRIS_NMID", ""),
            name=fields.get("merchant_name") or f"RETRIBUSI PARKIR {city_name.removeprefix('KOTA ')}",
            city=fields.get("merchant_city") or city_name,
            category_code=fields.get("merchant_category_code", "7523"),
            currency=fields.get("currency", "360"),
            country=fields.get("country", "ID"),
        )
    return _merchants[code]


def new_reference(prefix: str) -> str:
    return f"{prefix}{utcnow().astimezone(city_tz()):%y%m%d}{secrets.token_hex(5).upper()}"


def visible_payment(actor: User, payment_id: int) -> Payment:
    payment = get_row(Payment, payment_id)
    if payment is None:
        raise NotFound()
    if actor.id in (payment.user_id, payment.created_by_id):
        return payment
    if actor.role == "resident":
        raise NotFound()
    if payment.session_id is not None:
        visible_session(actor, payment.session_id)
    elif actor.role != "city_admin":
        raise Forbidden()
    return payment


def pay_session(actor: User, session_id: int, method: str) -> Payment:
    session = visible_session(actor, session_id)
    if method == "cash" and actor.role != "parking_attendant":
        raise Forbidden("Cash is recorded by the zone's attendant.")
    if method == "cash":
        require_zone_scope(actor, session.zone_code)
    if method == "wallet":
        if session.user_id != actor.id:
            raise Forbidden("Only the session's driver can pay from a wallet.")
        ledger.lock_wallet(actor.id)  # the first write of this transaction: spenders of one wallet queue here
        db.session.refresh(session)
    if session.status == "paid":
        raise Conflict("This session is already paid.")
    if session.status == "cancelled":
        raise Conflict("This session was cancelled.")
    now = utcnow()
    stop_if_active(session, now)
    if not session.amount:
        db.session.rollback()
        raise Conflict("Nothing to pay for this session.")
    if method == "wallet":
        available = ledger.balance(ledger.wallet_account(actor.id))
        if available < session.amount:
            db.session.rollback()
            raise Conflict("Not enough wallet balance: {balance} rupiah available.", balance=available)
    if method == "qris":
        pending = db.session.scalar(select(Payment).where(
            Payment.session_id == session.id, Payment.method == "qris", Payment.status == "pending",
            Payment.amount == session.amount))
        if pending is not None:
            db.session.commit()
            return pending
    payment = Payment(reference=new_reference("PK"), purpose="parking", method=method, session_id=session.id,
                      zone_code=session.zone_code, user_id=session.user_id, created_by_id=actor.id,
                      amount=session.amount, status="pending",
                      attendant_id=actor.id if method == "cash" else None)
    db.session.add(payment)
    db.session.flush()
    record(actor.id, "parking.payment_created", "parking_payment", payment.id, method=method, amount=payment.amount,
           session=session.id)
    if method == "qris":
        return _start_qris(payment)
    mark_paid(payment, now)
    db.session.commit()
    return payment


def topup(actor: User, amount: int) -> Payment:
    payment = Payment(reference=new_reference("TU"), purpose="topup", method="qris", user_id=actor.id,
                      created_by_id=actor.id, amount=amount, status="pending")
    db.session.add(payment)
    db.session.flush()
    record(actor.id, "wallet.topup_created", "parking_payment", payment.id, amount=amount)
    return _start_qris(payment)


def _start_qris(payment: Payment) -> Payment:
    """Commit the pending payment before calling the provider, so no transaction is held across the network
    and a notification that arrives early finds it. A provider that can't be reached leaves it pending: the
    provider's later notification (or a retry) settles it."""
    provider = require_provider()
    payment.provider = provider.name
    payment.qris_payload = qris.build_payload(merchant(), payment.amount, payment.reference)
    db.session.commit()
    try:
        charge = provider.create_qris_charge(payment.reference, payment.amount, payment.qris_payload)
    except providers.ProviderUnavailable as exc:
        log.warning("payment %s: provider %s unavailable: %s", payment.reference, provider.name, exc)
        return payment
    payment.provider_ref = charge.provider_ref
    if charge.qris_payload:
        payment.qris_payload = charge.qris_payload
    db.session.commit()
    return payment


def mark_paid(payment: Payment, now) -> bool:
    """Settle once: only the transaction whose guarded UPDATE flips the row posts to the ledger."""
    flipped = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.status != "paid")
        .values(status="paid", paid_at=now, paid_on=now.astimezone(city_tz()).date())
    ).rowcount
    if not flipped:
        return False
    source = {"qris": ledger.provider_account(payment.provider or "qris"), "wallet": None,
              "cash": ledger.cash_account(payment.attendant_id or 0)}[payment.method]
    if payment.purpose == "topup":
        ledger.post(payment.id, "topup", source, ledger.wallet_account(payment.user_id), payment.amount)
        notify([payment.user_id], "wallet.topup", "Saldo dompet bertambah",
               f"Isi ulang Rp{payment.amount:,} berhasil.".replace(",", "."), url="/#/wallet",
               data={"payment_id": payment.id, "amount": payment.amount})
        return True
    source = source or ledger.wallet_account(payment.user_id)
    settled = db.session.execute(
        update(ParkingSession).where(ParkingSession.id == payment.session_id,
                                     ParkingSession.status.in_(("active", "stopped")))
        .values(status="paid", paid_at=now)
    ).rowcount
    if not settled:
        if payment.method != "qris":
            raise Conflict("This session is already paid.")
        # Money arrived for a session another payment already covered: it belongs to the payer, not the city.
        if payment.user_id is not None:
            ledger.post(payment.id, "refund", source, ledger.wallet_account(payment.user_id), payment.amount)
            notify([payment.user_id], "wallet.topup", "Kelebihan bayar masuk ke dompet",
                   f"Rp{payment.amount:,} dikembalikan ke dompet Anda.".replace(",", "."), url="/#/wallet")
            return True
    ledger.post(payment.id, "parking", source, ledger.CITY_PARKING, payment.amount)
    session = db.session.get(ParkingSession, payment.session_id)
    if settled and session.user_id is not None:
        notify([session.user_id], "parking.paid", "Parkir lunas",
               f"Parkir {session.plate_number} di {session.zone_code} lunas: Rp{payment.amount:,}."
               .replace(",", "."), url=f"/#/parking/sessions/{session.id}",
               data={"session_id": session.id, "payment_id": payment.id})
    return True


def handle_notification(provider_name: str, body) -> Payment:
    try:
        provider = providers.get(provider_name) if provider_name in ("midtrans", "simulator") else None
    except providers.ProviderUnavailable:
        raise Unavailable("The payment provider is unavailable; try again later.") from None
    if provider is None:
        raise NotFound("Unknown payment provider.")
    try:
        note = provider.parse_notification(body)
    except providers.InvalidNotification:
        raise Unauthorized("The notification signature is not valid.") from None
    payment = db.session.scalar(select(Payment).where(Payment.reference == note.order_id))
    if payment is None or payment.provider != provider.name:
        raise NotFound("Unknown payment.")
    if note.gross_amount != payment.amount:
        raise Conflict("The notified amount does not match the payment.")
    if note.status == "paid":
        if mark_paid(payment, utcnow()):
            record(None, "parking.payment_settled", "parking_payment", payment.id, provider=provider.name,
                   transaction_id=note.transaction_id)
    elif note.status in ("failed", "expired"):
        db.session.execute(update(Payment).where(Payment.id == payment.id, Payment.status == "pending")
                           .values(status=note.status))
    if note.transaction_id and not payment.provider_ref:
        db.session.execute(update(Payment).where(Payment.id == payment.id, Payment.provider_ref.is_(None))
                           .values(provider_ref=note.transaction_id[:64]))
    db.session.commit()
    return payment


def simulate(reference: str, transaction_status: str = "settlement") -> Payment:
    """Dev and tests: what the customer's banking app would cause, delivered through the real webhook path."""
    if not providers.simulator_enabled() or not (reference.isalnum() and reference.isascii() and len(reference) <= 25):
        raise NotFound()
    payment = db.session.scalar(select(Payment).where(Payment.reference == reference))
    if payment is None or payment.provider != "simulator":
        raise NotFound("Unknown payment.")
    body = providers.get("simulator").notification(reference, payment.amount, transaction_status)
    return handle_notification("simulator", body)


def payment_view(payment: Payment) -> Payment:
    if payment.session_id is not None:
        payment.session = present(db.session.get(ParkingSession, payment.session_id))
    return payment


def require_provider():
    try:
        return providers.active()
    except providers.ProviderUnavailable:
        raise Unavailable("The payment provider is unavailable; try again later.") from None
