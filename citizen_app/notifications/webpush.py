"""The only module that talks to push services (pywebpush). send() never raises: it reports what happened.

pywebpush encrypts, signs VAPID and builds the request; the POST itself goes through a thin urllib3 transport
handed to pywebpush as its `requests_session`: requests costs ~3x the CPU per call, and a broadcast is
10,000 calls."""

import logging
import threading
from dataclasses import dataclass

import urllib3
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

log = logging.getLogger(__name__)
_local = threading.local()


@dataclass(frozen=True)
class PushResult:
    status_code: int | None  # None: no answer (timeout, refused connection, bad subscription data)
    error: str | None = None
    retry_after: float | None = None


class _Response:
    def __init__(self, raw: urllib3.BaseHTTPResponse):
        self.status_code = raw.status
        self.reason = raw.reason or ""
        self.headers = raw.headers
        self.text = raw.data[:500].decode("utf-8", "replace")


class _Transport:
    """What pywebpush needs from a requests.Session: post(url, data=, headers=, timeout=)."""

    def __init__(self):
        self.pool = urllib3.PoolManager(num_pools=64, maxsize=4, retries=False)

    def post(self, url: str, data=None, headers=None, timeout: float | None = None) -> _Response:
        raw = self.pool.request("POST", url, body=data, headers=dict(headers or {}), redirect=False,
                                retries=False, timeout=urllib3.Timeout(connect=min(timeout or 10, 5), read=timeout))
        return _Response(raw)


def _transport() -> _Transport:
    # One connection pool per sending thread, kept alive between pushes to the same push service.
    transport = getattr(_local, "transport", None)
    if transport is None:
        transport = _local.transport = _Transport()
    return transport


def _retry_after(response) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date; the backoff schedule is good enough


def send(subscription: dict, payload: bytes, *, vapid: Vapid, subject: str, ttl: int, urgency: str,
         timeout: float) -> PushResult:
    try:
        response = webpush(
            subscription_info=subscription,
            data=payload,
            vapid_private_key=vapid,
            vapid_claims={"sub": subject},  # fresh per call: pywebpush writes aud and exp into it
            ttl=ttl,
            timeout=timeout,
            headers={"Urgency": urgency},
            requests_session=_transport(),
        )
        return PushResult(response.status_code)
    except WebPushException as exc:
        response = exc.response
        if response is not None:
            return PushResult(response.status_code, f"{response.status_code} {response.reason}"[:255],
                              _retry_after(response))
        return PushResult(None, str(exc)[:255])
    except urllib3.exceptions.NewConnectionError as exc:  # a subclass of the timeout error, for history's sake
        return PushResult(None, f"connection error: {type(exc).__name__}")
    except urllib3.exceptions.TimeoutError:
        return PushResult(None, "timeout")
    except urllib3.exceptions.HTTPError as exc:
        return PushResult(None, f"connection error: {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001 - a bad subscription or library bug must not stop the worker
        log.warning("push send failed unexpectedly", exc_info=True)
        return PushResult(None, f"{type(exc).__name__}: {exc}"[:255])
