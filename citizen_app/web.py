"""The PWA, served from pwa/ by the same process. API routes win; unknown non-API paths get the app shell.

Text assets are gzipped once per file version (the first screen's budget is counted compressed, and mobile data is
slow); the letter checker's shell tells the browser which modules it will need so they load in parallel."""

import gzip
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, request

PWA_DIR = Path(__file__).resolve().parent.parent / "pwa"
ROOT_FILES = {"sw.js", "manifest.webmanifest", "favicon.ico", "robots.txt"}
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8",
         ".webmanifest": "application/manifest+json",
         ".png": "image/png", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8"}
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".webmanifest", ".txt"}
VERIFY_PRELOADS = ('</js/screens/verify.js>; rel=modulepreload', '</js/cose.js>; rel=modulepreload',
                   '</js/cbor.js>; rel=modulepreload',
                   '</api/v1/documents/trust-list>; rel=preload; as=fetch; crossorigin=anonymous',
                   '</api/v1/documents/revocations>; rel=preload; as=fetch; crossorigin=anonymous')

bp = Blueprint("pwa", __name__)


def _fill_shell(html: str) -> str:
    """The shell's markup carries translation keys only; the default language's text is filled in here so the first
    paint shows the app's name and navigation before any script has run (the app re-translates on a switch)."""
    messages = json.loads((PWA_DIR / "i18n" / "id.json").read_text(encoding="utf-8"))

    def text(match: re.Match) -> str:
        key = match.group(2)
        return f'{match.group(1)}{_escape(messages.get(key, ""))}{match.group(3)}'

    html = re.sub(r'(<[^>]*\bdata-i18n="([^"]+)"[^>]*>)(</)', text, html)
    html = re.sub(r'(<meta [^>]*content=")("[^>]*data-i18n-content="([^"]+)")',
                  lambda m: m.group(1) + _escape(messages.get(m.group(3), "")) + m.group(2), html)
    html = re.sub(r'data-i18n-aria-label="([^"]+)"',
                  lambda m: f'{m.group(0)} aria-label="{_escape(messages.get(m.group(1), ""))}"', html)
    return html.replace("<title></title>", f"<title>{_escape(messages.get('app.name', ''))}</title>")


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _app_files() -> tuple[tuple[str, int], ...]:
    return tuple(sorted((p.relative_to(PWA_DIR).as_posix(), p.stat().st_mtime_ns) for p in PWA_DIR.rglob("*")
                        if p.is_file() and p.suffix in TYPES and "tools" not in p.parts))


@lru_cache(maxsize=8)
def _shell_version(files: tuple[tuple[str, int], ...]) -> str:
    digest = hashlib.sha256()
    for name, _mtime in files:
        digest.update(name.encode() + b"\0" + (PWA_DIR / name).read_bytes())
    return digest.hexdigest()[:12]


@lru_cache(maxsize=128)
def _load(path: str, mtime_ns: int, lang_mtime_ns: int = 0, verify: bool = False) -> tuple[bytes, bytes, str]:
    data = (PWA_DIR / path).read_bytes()
    if path == "sw.js":
        # The worker's cache name follows the app's files, so any change installs a fresh shell.
        data = data.replace(b"const VERSION = 'v1';", f"const VERSION = '{_shell_version(_app_files())}';".encode())
    if path == "index.html":
        html = _fill_shell(data.decode("utf-8"))
        if verify:  # the letter checker needs neither home's modules nor the offline queue up front
            html = re.sub(r'<link rel="modulepreload" href="/js/(screens/home|outbox)\.js">\n', "", html)
        data = html.encode("utf-8")
    packed = gzip.compress(data, 9, mtime=0) if Path(path).suffix in COMPRESSIBLE else b""
    return data, packed, hashlib.sha256(data).hexdigest()[:32]


def _send(path: str, max_age: int, verify: bool = False) -> Response:
    file = PWA_DIR / path
    lang_mtime = (PWA_DIR / "i18n" / "id.json").stat().st_mtime_ns if path == "index.html" else 0
    if path == "sw.js":
        lang_mtime = hash(_app_files())
    data, packed, digest = _load(path, file.stat().st_mtime_ns, lang_mtime, verify)
    use_gzip = bool(packed) and "gzip" in request.headers.get("Accept-Encoding", "")
    response = Response(packed if use_gzip else data, mimetype=None,
                        content_type=TYPES.get(file.suffix, "application/octet-stream"))
    if packed:
        response.headers["Vary"] = "Accept-Encoding"
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(digest + ("-gz" if use_gzip else ""))
    response.cache_control.public = True
    if max_age:
        response.cache_control.max_age = max_age
    else:
        response.cache_control.no_cache = True
    if path == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response.make_conditional(request)


@bp.get("/")
@bp.get("/v")
def shell():
    response = _send("index.html", 0, verify=request.path == "/v")
    if request.path == "/v":
        response.headers["Link"] = ", ".join(VERIFY_PRELOADS)
    return response


@bp.get("/<path:path>")
def asset(path: str):
    if path.startswith("api/"):
        abort(404)
    file = PWA_DIR / path
    inside = file.resolve().is_relative_to(PWA_DIR)
    if inside and file.is_file() and not path.startswith((".", "tools/")) and file.suffix in TYPES:
        return _send(path, 0 if path in ROOT_FILES else 3600)
    if "." in path.rsplit("/", 1)[-1]:
        abort(404)
    return shell()  # client-side routes (#/… and /path) open the shell


def first_screen_files() -> list[Path]:
    """What the first screen loads: the shell, its CSS and translations, app.js and its static imports.
    The budget test and the Lighthouse benchmark both measure this list."""
    files = [PWA_DIR / "index.html", PWA_DIR / "css" / "app.css", PWA_DIR / "i18n" / "id.json"]
    html = (PWA_DIR / "index.html").read_text(encoding="utf-8")
    todo = [PWA_DIR / "js" / "app.js"]
    todo += [PWA_DIR / href.lstrip("/") for href in re.findall(r'<link rel="modulepreload" href="([^"]+)"', html)]
    while todo:
        path = todo.pop()
        if path in files:
            continue
        files.append(path)
        for spec in re.findall(r"^import [^;]*? from '([^']+)';", path.read_text(encoding="utf-8"), re.M):
            todo.append((path.parent / spec).resolve())
    return files


def first_screen_bytes() -> dict:
    files = first_screen_files()
    return {"files": len(files), "raw_bytes": sum(p.stat().st_size for p in files),
            "gzip_bytes": sum(len(gzip.compress(p.read_bytes(), 9)) for p in files)}
