import hashlib
import hmac
from dataclasses import dataclass

# Midtrans transaction_status -> our payment status (anything else is ignored as still pending).
STATUS_MAP = {
    "settlement": "paid", "capture": "paid",
    "deny": "failed", "cancel": "failed", "failure": "failed",
    "expire": "expired",
    "pending": "pending",
}


class InvalidNotification(Exception):
    """Unsigned, wrongly signed or malformed: the webhook answers 401 and changes nothing."""


class ProviderUnavailable(Exception):
    """The provider could not be reached (timeout, network, 5xx): the payment stays pending."""


@dataclass(frozen=True)
class ChargeResult:
    provider_ref: str | None
    qris_payload: str | None = None  # the provider's own QR string, when it issues one


@dataclass(frozen=True)
class ProviderNotification:
    order_id: str
    status: str  # ours: paid | failed | expired | pending
    gross_amount: int
    transaction_id: str | None


def signature(order_id: str, status_code: str, gross_amount: str, server_key: str) -> str:
    return hashlib.sha512(f"{order_id}{status_code}{gross_amount}{server_key}".encode()).hexdigest()


class PaymentProvider:
    name = "base"

    def __init__(self, server_key: str):
        self.server_key = server_key

    def create_qris_charge(self, reference: str, amount: int, qris_payload: str) -> ChargeResult:
        raise NotImplementedError

    def parse_notification(self, body: dict) -> ProviderNotification:
        """Midtrans' HTTP notification format (the simulator sends the same)."""
        if not isinstance(body, dict):
            raise InvalidNotification("notification must be a JSON object")
        fields = {k: body.get(k) for k in ("order_id", "status_code", "gross_amount", "signature_key",
                                           "transaction_status")}
        if not all(isinstance(v, str) and v for v in fields.values()):
            raise InvalidNotification("notification is missing signed fields")
        expected = signature(fields["order_id"], fields["status_code"], fields["gross_amount"], self.server_key)
        if not hmac.compare_digest(expected, fields["signature_key"].lower()):
            raise InvalidNotification("bad signature_key")
        status = STATUS_MAP.get(fields["transaction_status"], "pending")
        if fields["transaction_status"] == "capture" and body.get("fraud_status") not in (None, "accept"):
            status = "pending"  # a card capture under fraud review is not money yet
        try:
            gross = int(float(fields["gross_amount"]))
        except ValueError as exc:
            raise InvalidNotification("bad gross_amount") from exc
        return ProviderNotification(fields["order_id"], status, gross, body.get("transaction_id"))
