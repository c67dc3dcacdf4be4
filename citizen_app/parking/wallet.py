from flask import current_app

import citizen_app.parking.messages  # noqa: F401
from citizen_app.common.pagination import paginate
from citizen_app.errors import field_error
from citizen_app.identity.models import User
from citizen_app.parking import ledger, payments
from citizen_app.parking.models import Payment


def wallet(actor: User, page: int, per_page: int) -> dict:
    account = ledger.wallet_account(actor.id)
    listing = paginate(ledger.entries_for(account), page, per_page)
    return {"balance": ledger.balance(account), **listing}


def topup_limits() -> tuple[int, int]:
    config = current_app.config
    return int(config.get("WALLET_TOPUP_MIN", 10_000)), int(config.get("WALLET_TOPUP_MAX", 1_000_000))


def start_topup(actor: User, amount: int) -> Payment:
    low, high = topup_limits()
    if not low <= amount <= high:
        raise field_error("amount", "Top-up must be between {min} and {max} rupiah.", min=low, max=high)
    return payments.topup(actor, amount)
