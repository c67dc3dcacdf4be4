"""Lighthouse 11 (the last with the PWA audit) on the resident home and the letter checker, mobile profile.

Needs node/npm and Chromium at /usr/bin/chromium (CHROME_PATH); installs lighthouse@11 under bench/node on first
use. Also reports the first screen's compressed size (HTML + CSS + JS + translations, gzip -9)."""

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

from werkzeug.serving import make_server

from bench.common import bench_app
from citizen_app.web import first_screen_bytes

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PWA = ROOT / "pwa"
NODE = HERE / "node"
LIGHTHOUSE = NODE / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "pwa")


def _ensure_lighthouse() -> None:
    if LIGHTHOUSE.exists():
        return
    if not shutil.which("npm"):
        raise RuntimeError("npm is needed to install lighthouse@11")
    subprocess.run(["npm", "install", "--prefix", str(NODE), "lighthouse@11", "--no-audit", "--no-fund",
                    "--loglevel=error"], check=True, timeout=600)


def _signed_letter_token(app) -> str:
    from citizen_app.extensions import db
    from citizen_app.identity.models import User
    from citizen_app.identity.nik import make_nik
    from citizen_app.identity.services import create_staff, issue_tokens, register_resident

    home = "53.71.05.1005"
    with app.app_context():
        from datetime import date

        resident = register_resident({
            "nik": make_nik("53.71.05", date(1990, 6, 2), "female", 1), "full_name": "Maria Ndun",
            "birth_date": date(1990, 6, 2), "gender": "female", "phone": "081234567801", "password": "rahasia-123",
            "kelurahan_code": home, "address": "Jl. Timor Raya 5"})
        clerk = create_staff(None, {"username": "clerk1", "password": "rahasia-123", "role": "clerk",
                                    "full_name": "Petugas", "kelurahan_code": home})
        lurah = create_staff(None, {"username": "lurah1", "password": "rahasia-123", "role": "lurah",
                                    "full_name": "Yakobus Bele", "kelurahan_code": home,
                                    "nip": "198001012006041001", "title": "Lurah"})
        bearer = {u.id: {"Authorization": "Bearer " + issue_tokens(db.session.get(User, u.id))["access_token"]}
                  for u in (resident, clerk, lurah)}
        ids = (resident.id, clerk.id, lurah.id)
    client = app.test_client()
    created = client.post("/api/v1/documents/requests", headers=bearer[ids[0]], json={
        "type_code": "domisili", "service_kelurahan_code": home, "purpose": "Melamar pekerjaan",
        "fields": {"rt": "003", "rw": "001"}}).get_json()
    for who, action in ((1, "review"), (1, "approve"), (2, "sign")):
        response = client.post(f"/api/v1/documents/requests/{created['id']}/actions", headers=bearer[ids[who]],
                               json={"action": action})
        assert response.status_code == 200, response.get_json()
    detail = client.get(f"/api/v1/documents/requests/{created['id']}", headers=bearer[ids[0]]).get_json()
    return detail["letter"]["qr_text"].split("#", 1)[1]


def _lighthouse(url: str, name: str) -> dict:
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    report = out / f"lighthouse-{name}.json"
    subprocess.run([str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
                    "--form-factor=mobile", "--only-categories=" + ",".join(CATEGORIES),
                    "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking "
                    "--disable-component-update --disable-sync --no-first-run"],
                   check=True, timeout=300, env={**os.environ, "CHROME_PATH": CHROME})
    data = json.loads(report.read_text())
    audits = data["audits"]
    failing = sorted(k for k, a in audits.items() if a.get("score") is not None and a["score"] < 0.9
                     and a.get("scoreDisplayMode") in ("binary", "numeric"))
    return {
        **{c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES},
        "installable": audits["installable-manifest"]["score"] == 1,
        "transferred_kib": round(audits["total-byte-weight"]["numericValue"] / 1024, 1),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "below_90": failing,
    }


def main() -> dict:
    figures = {"first_screen": first_screen_bytes()}
    if not Path(CHROME).exists():
        figures["lighthouse"] = f"skipped: no Chromium at {CHROME}"
        return figures
    _ensure_lighthouse()
    with bench_app("sqlite") as app:
        token = _signed_letter_token(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        try:
            for name, url in (("home", f"{base}/"), ("letter_checker", f"{base}/v#{token}")):
                figures[name] = _lighthouse(url, name)
        finally:
            server.shutdown()
    return figures
