"""Checks on the PWA files that need no browser: translations complete, no inline code or styles, the budget."""

import gzip
import importlib.util
import json
import os
import re
from pathlib import Path

from citizen_app.brigade.models import CALL_STATUSES, PRIORITIES
from citizen_app.identity.models import ROLES
from citizen_app.parking.models import PAYMENT_METHODS, SESSION_STATUSES, VEHICLE_CLASSES
from citizen_app.web import first_screen_bytes

PWA = Path(__file__).resolve().parents[2] / "pwa"
_spec = importlib.util.spec_from_file_location("check_i18n", PWA / "tools" / "check_i18n.py")
check_i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_i18n)
LANGS = {lang: json.loads((PWA / "i18n" / f"{lang}.json").read_text(encoding="utf-8")) for lang in ("id", "en")}
DOC_STATUSES = ("submitted", "in_review", "needs_revision", "approved", "signed", "collected", "rejected", "cancelled")


def test_every_key_the_code_uses_is_translated_in_both_languages():
    assert check_i18n.missing() == {"id": [], "en": []}
    assert LANGS["id"].keys() == LANGS["en"].keys()
    assert all(v.strip() for lang in LANGS.values() for v in lang.values())


def test_status_values_from_the_contract_have_labels():
    families = {"docstatus": DOC_STATUSES, "callstatus": CALL_STATUSES, "priority": PRIORITIES,
                "vehicle": VEHICLE_CLASSES, "parkstatus": SESSION_STATUSES, "method": PAYMENT_METHODS,
                "role": ROLES, "verify.result": ("valid", "revoked", "expired", "invalid"),
                "paystatus": ("pending", "paid", "failed", "expired"), "home.lead": ROLES[1:] + ("guest",)}
    for family, values in families.items():
        for value in values:
            if family == "home.lead" and value == "resident":
                continue
            assert f"{family}.{value}" in LANGS["id"], f"{family}.{value}"


def test_no_inline_script_or_style_and_no_text_in_markup():
    html = (PWA / "index.html").read_text(encoding="utf-8")
    assert "style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    # Visible text comes from the translation files: every element's text in the markup is empty.
    body = html.split("<body>", 1)[1]
    assert re.findall(r">\s*([^<\s][^<]*)<", body) == []
    for path in (PWA / "js").rglob("*.js"):
        code = path.read_text(encoding="utf-8")
        assert "innerHTML" not in code and "eval(" not in code and "new Function" not in code, path
        assert ".style." not in code and "setAttribute('style'" not in code, path


def test_first_screen_fits_the_100_kib_budget():
    sizes = first_screen_bytes()
    assert sizes["files"] >= 7  # the shell, css, translations and the static import graph
    assert sizes["gzip_bytes"] <= 100 * 1024, sizes


def test_manifest_is_installable():
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    sizes = {(i["sizes"], i.get("purpose", "any")) for i in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    assert manifest["display"] == "standalone" and manifest["start_url"].startswith("/")
    for icon in manifest["icons"]:
        assert (PWA / icon["src"].lstrip("/")).is_file()


def test_service_worker_precaches_every_screen():
    sw = (PWA / "sw.js").read_text(encoding="utf-8")
    for path in (PWA / "js").rglob("*.js"):
        rel = "/" + path.relative_to(PWA).as_posix()
        name = path.stem
        assert rel in sw or (path.parent.name == "screens" and f"'{name}'" in sw), rel


def test_assets_are_served_gzipped_with_validators(client):
    plain = client.get("/js/app.js")
    packed = client.get("/js/app.js", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data == (PWA / "js" / "app.js").read_bytes()
    again = client.get("/js/app.js", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/sw.js").headers["Service-Worker-Allowed"] == "/"
    assert "no-cache" in client.get("/sw.js").headers["Cache-Control"]
    assert client.get("/manifest.webmanifest").content_type == "application/manifest+json"


def test_shell_is_filled_from_the_translation_file_and_routes_fall_back_to_it(client):
    shell = client.get("/").get_data(as_text=True)
    assert f"<title>{LANGS['id']['app.name']}</title>" in shell
    assert f'data-i18n="app.name">{LANGS["id"]["app.name"]}</a>' in shell
    assert client.get("/letters/12").get_data(as_text=True) == shell
    checker = client.get("/v")
    assert "modulepreload" in checker.headers["Link"] and "/api/v1/documents/trust-list" in checker.headers["Link"]
    assert "/js/outbox.js" not in checker.get_data(as_text=True)


def test_only_app_files_are_served(client):
    for path in ("/tools/strings.py", "/tools/make_icons.py", "/../wsgi.py", "/%2e%2e/wsgi.py", "/js/missing.js",
                 "/api/v1/nothing-here"):
        assert client.get(path).status_code == 404, path


def test_service_worker_version_follows_the_app_files(client, tmp_path, monkeypatch):
    import shutil

    from citizen_app import web

    copy = tmp_path / "pwa"
    shutil.copytree(PWA, copy, ignore=shutil.ignore_patterns("tools"))
    monkeypatch.setattr(web, "PWA_DIR", copy)
    version = re.compile(r"const VERSION = '([0-9a-f]{12})';")
    before = version.search(client.get("/sw.js").get_data(as_text=True)).group(1)
    assert version.search(client.get("/sw.js").get_data(as_text=True)).group(1) == before
    css = copy / "css" / "app.css"
    css.write_text(css.read_text() + "\n.new-rule { color: red; }\n")
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000_000))
    assert version.search(client.get("/sw.js").get_data(as_text=True)).group(1) != before
