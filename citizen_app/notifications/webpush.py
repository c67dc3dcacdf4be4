"""The only module that talks to push services (pywebpush). send() never raises: it reports what happened."""

import logging
import threading
from dataclasses import dataclass

import requests
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

log = logging.getLogger(__name__)
_local = threading.local()


@dataclass(frozen=True)
class PushResult:
    status_code: int | None  # None: no answer (timeout, refused connection, bad subscription data)
    error: str | None = None
    retry_after: float | None = None


def _session() -> requests.Session:
    # One keep-alive session per sending thread: requests.Session is not safe to share between threads.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session


def _retry_after(response) -> float | None:
    value = getattr(response, "headers", {}).get("Retry-After") if response is not None else None
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
            requests_session=_session(),
        )
        return PushResult(response.status_code)
    except WebPushException as exc:
        response = exc.response
        if response is not None:
            return PushResult(response.status_code, f"{response.status_code} {response.reason}"[:255],
                              _retry_after(response))
        return PushResult(None, str(exc)[:255])
    except requests.Timeout:
        return PushResult(None, "timeout")
    except requests.ConnectionError as exc:
        return PushResult(None, f"connection error: {type(exc).__name__}")
    except Exception as exc:  # noqa: BLE001 - a bad subscription or library bug must not stop the worker
        log.warning("push send failed unexpectedly", exc_info=True)
        return PushResult(None, f"{type(exc).__name__}: {exc}"[:255])
