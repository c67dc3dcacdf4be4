"""The PWA, served from pwa/ by the same process. API routes win; unknown non-API paths get the app shell."""

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
ROOT_FILES = {"sw.js", "manifest.webmanifest", "favicon.ico", "robots.txt"}

bp = Blueprint("pwa", __name__)


def _send(path: str, max_age: int):
    response = send_from_directory(PWA_DIR, path, max_age=max_age)
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
        response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/")
@bp.get("/v")
def shell():
    response = _send("index.html", 0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/<path:path>")
def asset(path: str):
    if path.startswith("api/"):
        abort(404)
    if (PWA_DIR / path).is_file() and not path.startswith((".", "tools/")):
        return _send(path, 0 if path in ROOT_FILES else 3600)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)
    return shell()  # client-side routes (#/… and /path) open the shell
