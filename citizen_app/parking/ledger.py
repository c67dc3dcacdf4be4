"""The money ledger: append-only entries, balances derived by SUM, each payment posted once."""

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from citizen_app.extensions import db
from citizen_app.parking.models import LedgerEntry, Wallet

CITY_PARKING = "city:parking"


def wallet_account(user_id: int) -> str:
    return f"wallet:{user_id}"


def cash_account(attendant_id: int) -> str:
    return f"cash:{attendant_id}"


def provider_account(provider: str) -> str:
    return f"provider:{provider}"


def balance(account: str) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount), 0))
                                 .where(LedgerEntry.account == account)))


def post(payment_id: int, kind: str, source: str, destination: str, amount: int) -> None:
    """Move `amount` from source to destination for a payment. The unique (payment, account) constraint makes a
    second posting for the same payment fail instead of counting twice."""
    if amount <= 0:
        raise ValueError("ledger amounts are positive transfers")
    db.session.execute(insert(LedgerEntry), [
        {"account": source, "amount": -amount, "kind": kind, "payment_id": payment_id},
        {"account": destination, "amount": amount, "kind": kind, "payment_id": payment_id},
    ])


def lock_wallet(user_id: int) -> None:
    """Take the wallet's row lock before reading its balance. The UPDATE is the first write of the transaction,
    so on SQLite it takes the database write lock and on PostgreSQL the row lock: concurrent spenders queue here
    and each then sees the balance the previous one left."""
    bumped = db.session.execute(update(Wallet).where(Wallet.user_id == user_id)
                                .values(version=Wallet.version + 1)).rowcount
    if bumped:
        return
    try:
        with db.session.begin_nested():
            db.session.add(Wallet(user_id=user_id, version=0))
    except IntegrityError:
        pass  # created concurrently; the UPDATE below waits for its lock
    db.session.execute(update(Wallet).where(Wallet.user_id == user_id).values(version=Wallet.version + 1))


def entries_for(account: str):
    return select(LedgerEntry).where(LedgerEntry.account == account).order_by(LedgerEntry.id.desc())
