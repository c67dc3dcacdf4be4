"""Payment providers behind one adapter: the Midtrans Core API, and a local simulator for dev and tests."""

import os

from flask import current_app

from citizen_app.parking.providers.base import (  # noqa: F401 - the adapter's public names
    ChargeResult,
    InvalidNotification,
    PaymentProvider,
    ProviderNotification,
    ProviderUnavailable,
)
from citizen_app.parking.providers.midtrans import Midtrans
from citizen_app.parking.providers.simulator import Simulator

DEV_SERVER_KEY = "dev-payment-server-key-not-for-production"  # noqa: S105 - refused in production


def server_key() -> str:
    key = current_app.config.get("PAYMENT_SERVER_KEY") or os.environ.get("PAYMENT_SERVER_KEY", "")
    if key:
        return key
    if current_app.config.get("ENV_NAME") == "production":
        raise ProviderUnavailable("PAYMENT_SERVER_KEY is not configured")
    return DEV_SERVER_KEY


def configured_name() -> str:
    return (current_app.config.get("PAYMENT_PROVIDER") or os.environ.get("PAYMENT_PROVIDER") or
            ("midtrans" if current_app.config.get("ENV_NAME") == "production" else "simulator"))


def simulator_enabled() -> bool:
    return bool(current_app.config.get("TESTING")) or configured_name() == "simulator"


def get(name: str) -> PaymentProvider | None:
    """The provider by its webhook name, or None when it is unknown or switched off here."""
    if name == "midtrans":
        return Midtrans(server_key(), current_app.config.get("PAYMENT_API_URL", "https://api.sandbox.midtrans.com"),
                        http=current_app.extensions.get("payment_http"),
                        timeout=float(current_app.config.get("PAYMENT_TIMEOUT_SECONDS", 10)))
    if name == "simulator" and simulator_enabled():
        return Simulator(server_key())
    return None


def active() -> PaymentProvider:
    provider = get(configured_name())
    if provider is None:
        raise ProviderUnavailable(f"payment provider {configured_name()!r} is not available")
    return provider
