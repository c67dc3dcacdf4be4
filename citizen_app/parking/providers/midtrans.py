"""Midtrans Core API: POST /v2/charge with payment_type qris; HTTP notifications signed with signature_key."""

import base64
import json
import urllib.error
import urllib.request
from collections.abc import Callable

from citizen_app.parking.providers.base import ChargeResult, PaymentProvider, ProviderUnavailable

# (url, json body, headers, timeout seconds) -> (HTTP status, JSON body)
HttpPost = Callable[[str, dict, dict, float], tuple[int, dict]]


def urllib_post(url: str, body: dict, headers: dict, timeout: float) -> tuple[int, dict]:
    if not url.startswith(("https://", "http://")):
        raise ProviderUnavailable(f"refusing payment URL {url!r}")
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured https URL
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (TimeoutError, urllib.error.URLError) as exc:
        raise ProviderUnavailable(str(exc)) from exc


class Midtrans(PaymentProvider):
    name = "midtrans"

    def __init__(self, server_key: str, base_url: str, http: HttpPost | None = None, timeout: float = 10.0):
        super().__init__(server_key)
        self.base_url = base_url.rstrip("/")
        self.http = http or urllib_post
        self.timeout = timeout

    def create_qris_charge(self, reference: str, amount: int, qris_payload: str) -> ChargeResult:
        auth = base64.b64encode(f"{self.server_key}:".encode()).decode()
        headers = {"Accept": "application/json", "Content-Type": "application/json", "Authorization": f"Basic {auth}"}
        body = {"payment_type": "qris", "transaction_details": {"order_id": reference, "gross_amount": amount}}
        try:
            status, answer = self.http(f"{self.base_url}/v2/charge", body, headers, self.timeout)
        except (TimeoutError, OSError) as exc:
            raise ProviderUnavailable(str(exc)) from exc
        # Midtrans answers HTTP 200 with its own status_code inside; 201 means the QR was created.
        if status >= 500 or str(answer.get("status_code", "")) not in ("200", "201"):
            raise ProviderUnavailable(f"charge refused: HTTP {status} {answer.get('status_message', '')}")
        return ChargeResult(answer.get("transaction_id"), answer.get("qr_string"))
