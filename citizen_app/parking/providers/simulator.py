"""A local stand-in for the payment network: charges always succeed, and `notification` builds the same signed
body Midtrans would POST to the webhook, so the settlement path is the production one."""

import uuid

from citizen_app.parking.providers.base import ChargeResult, PaymentProvider, signature

STATUS_CODES = {"settlement": "200", "pending": "201", "expire": "202", "deny": "202", "cancel": "202"}


class Simulator(PaymentProvider):
    name = "simulator"

    def create_qris_charge(self, reference: str, amount: int, qris_payload: str) -> ChargeResult:
        return ChargeResult(f"SIM-{uuid.uuid4().hex[:16]}", None)

    def notification(self, reference: str, amount: int, transaction_status: str = "settlement",
                     transaction_id: str | None = None) -> dict:
        status_code = STATUS_CODES.get(transaction_status, "200")
        gross = f"{amount}.00"
        return {
            "transaction_time": "",
            "transaction_status": transaction_status,
            "transaction_id": transaction_id or f"SIM-{uuid.uuid4().hex[:16]}",
            "status_message": "simulator notification",
            "status_code": status_code,
            "signature_key": signature(reference, status_code, gross, self.server_key),
            "payment_type": "qris",
            "order_id": reference,
            "gross_amount": gross,
            "currency": "IDR",
        }
