"""A stand-in push service on 127.0.0.1 and fake browser subscriptions, so push is tested with no internet."""

import base64
import json
import os
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from citizen_app.extensions import db
from citizen_app.notifications.worker import PushWorker


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class PushReceiver:
    """Records every POST; answers 201 unless told otherwise per device name (a queue of statuses)."""

    def __init__(self):
        self.received: list[Received] = []
        self.plans: dict[str, list] = {}
        self.delays: dict[str, float] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                name = self.path.rsplit("/", 1)[-1]
                with receiver.lock:
                    receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()},
                                                      body))
                    plan = receiver.plans.get(name)
                    status = plan.pop(0) if plan else 201
                delay = receiver.delays.get(name, 0)
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "120")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def endpoint(self, name: str) -> str:
        return f"{self.origin}/push/{name}"

    def answer(self, name: str, *statuses: int) -> None:
        self.plans[name] = list(statuses)

    def for_device(self, name: str) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/" + name)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeDevice:
    """What a browser's PushManager holds: a P-256 key pair and a 16-byte auth secret."""

    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscription(self) -> dict:
        point = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}

    def decrypt(self, received: Received) -> dict:
        assert received.headers["content-encoding"] == "aes128gcm"
        plain = http_ece.decrypt(received.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


def verify_vapid(authorization: str, endpoint: str, server_public_key: str) -> dict:
    """Check an RFC 8292 `vapid t=<JWT>,k=<key>` header as a push service would; returns the JWT claims."""
    scheme, params = authorization.split(" ", 1)
    assert scheme == "vapid"
    parts = dict(item.split("=", 1) for item in params.split(","))
    assert parts["k"] == server_public_key
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(parts["k"]))
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    claims = json.loads(unb64url(claims_b64))
    url = urlsplit(endpoint)
    assert claims["aud"] == f"{url.scheme}://{url.netloc}"
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return claims


def closed_port_endpoint() -> str:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/push/nobody-home"


def run_worker(app, concurrency: int = 4, batch_size: int | None = None):
    with app.app_context():
        worker = PushWorker(concurrency, batch_size)
        try:
            return worker.drain()
        finally:
            worker.close()
            db.session.remove()
