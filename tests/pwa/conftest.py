"""Browser fixtures: the app served on a free local port in a thread, one headless Chromium per session,
a fresh 360×640 context per test (so service workers and storage never leak between tests)."""

import logging
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def pytest_collection_modifyitems(items):
    if os.path.exists(CHROMIUM):
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM} (CI installs the Debian chromium package)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 640}, locale="id-ID",
                              service_workers="allow")
    ctx.set_default_timeout(10000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    assert not errors, f"JavaScript errors: {errors}"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, username: str, password: str) -> None:
    page.goto("/#/login")
    page.get_by_label("NIK, nomor HP atau nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_function("() => JSON.parse(localStorage.getItem('session') || 'null') !== null")


def wait_for_service_worker(page) -> None:
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller !== null",
                           timeout=15000)


def sign_out(page) -> None:
    page.goto("/#/profile")
    page.get_by_role("button", name="Keluar").click()
    page.get_by_role("heading", name="Selamat datang").wait_for()


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005"
    "0001ff5d8b8e4a0000000049454e44ae426082")


def signed_letter(client, auth_headers, resident, clerk, lurah) -> dict:
    """A domisili letter requested by `resident`, approved by `clerk` and signed by `lurah`: the request detail."""
    created = client.post("/api/v1/documents/requests", headers=auth_headers(resident), json={
        "type_code": "domisili", "service_kelurahan_code": resident.kelurahan_code, "purpose": "Melamar pekerjaan",
        "fields": {"rt": "003", "rw": "001"}}).get_json()
    for who, action in ((clerk, "review"), (clerk, "approve"), (lurah, "sign")):
        response = client.post(f"/api/v1/documents/requests/{created['id']}/actions", headers=auth_headers(who),
                               json={"action": action})
        assert response.status_code == 200, response.get_json()
    return client.get(f"/api/v1/documents/requests/{created['id']}", headers=auth_headers(resident)).get_json()
