"""Each domain's models, city-pack loaders and demo data, in one place so create_app stays a table of contents.

A domain with pack data has `citizen_app/<domain>/pack.py` with `load(pack, city) -> dict` (idempotent);
a domain with demo data has `demo(accounts) -> list[str]` there too."""

import importlib

import citizen_app.brigade.models  # noqa: F401
import citizen_app.documents.models  # noqa: F401
import citizen_app.notifications.models  # noqa: F401
import citizen_app.parking.models  # noqa: F401
import citizen_app.permits.models  # noqa: F401
import citizen_app.stats.models  # noqa: F401

PACK_DOMAINS = ("documents", "permits", "parking", "brigade", "notifications")


def _pack_modules():
    for domain in PACK_DOMAINS:
        try:
            yield domain, importlib.import_module(f"citizen_app.{domain}.pack")
        except ModuleNotFoundError as exc:
            if exc.name != f"citizen_app.{domain}.pack":
                raise


def register_pack_loaders() -> None:
    from citizen_app.cities.services import register_pack_loader
    from citizen_app.demo import register_demo_hook

    for domain, module in _pack_modules():
        if hasattr(module, "load"):
            register_pack_loader(domain, module.load)
        if hasattr(module, "demo"):
            register_demo_hook(module.demo)
