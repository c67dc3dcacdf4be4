"""The deployment's gunicorn settings (config/gunicorn.py) load and serve the app, as the README runs them."""

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_gunicorn_settings_load_with_the_app(tmp_path):
    env = {**os.environ, "APP_ENV": "testing", "INSTANCE_PATH": str(tmp_path), "KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": f"sqlite:///{tmp_path}/check.db", "WEB_CONCURRENCY": "3", "GUNICORN_THREADS": "5"}
    shown = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--print-config",
                            "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    pairs = (line.split(" = ", 1) for line in shown.stdout.splitlines() if " = " in line)
    settings = {name.strip(): value.strip() for name, value in pairs}
    assert settings["workers"] == "3" and settings["threads"] == "5"
    assert settings["reuse_port"] == "True" and "127.0.0.1:8000" in settings["bind"]
    checked = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--check-config",
                              "wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stderr


def _settings(monkeypatch, pin: str | None = None) -> dict:
    if pin is not None:
        monkeypatch.setenv("GUNICORN_PIN_WORKERS", pin)
    return runpy.run_path(str(ROOT / "config" / "gunicorn.py"))


def test_each_new_worker_takes_the_allowed_core_with_fewest_workers(monkeypatch):
    settings = _settings(monkeypatch)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {2, 3, 5})
    server = SimpleNamespace(WORKERS={})
    chosen = []
    for pid in range(5):  # five workers on three cores: 2, 3, 5, then 2 and 3 again
        worker = SimpleNamespace()
        settings["pre_fork"](server, worker)
        server.WORKERS[pid] = worker
        chosen.append(worker.core)
    assert chosen == [2, 3, 5, 2, 3]
    del server.WORKERS[2]  # the worker on core 5 died: its replacement goes there
    replacement = SimpleNamespace()
    settings["pre_fork"](server, replacement)
    assert replacement.core == 5
    pinned = []
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cores: pinned.append((pid, cores)))
    settings["post_fork"](server, replacement)
    assert pinned == [(0, {5})]


def test_pinning_can_be_turned_off(monkeypatch):
    settings = _settings(monkeypatch, pin="0")
    worker = SimpleNamespace()
    settings["pre_fork"](SimpleNamespace(WORKERS={}), worker)
    assert not hasattr(worker, "core")
    monkeypatch.setattr(os, "sched_setaffinity", lambda pid, cores: pytest.fail("pinned although turned off"))
    settings["post_fork"](None, worker)


def _served_workers_cores(tmp_path, extra_env: dict) -> list[set[int]]:
    """Start gunicorn with the deployment's settings (two workers) and read each worker's allowed cores."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "APP_ENV": "testing", "INSTANCE_PATH": str(tmp_path), "KEYS_DIR": str(tmp_path / "keys"),
           "DATABASE_URL": f"sqlite:///{tmp_path}/pin.db", "WEB_CONCURRENCY": "2", **extra_env}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "-b",
                             f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode(errors="replace")
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            if len(children) == 2:
                try:  # a worker forked but not yet pinned still shows its master's cores: wait for it to serve
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    pass
            time.sleep(0.1)
        else:
            raise AssertionError("gunicorn did not start two workers")
        time.sleep(0.5)
        return [os.sched_getaffinity(int(pid)) for pid in children]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_served_workers_are_pinned_to_distinct_cores(tmp_path):
    allowed = os.sched_getaffinity(0)
    cores = _served_workers_cores(tmp_path, {})
    assert all(len(c) == 1 and c <= allowed for c in cores), cores
    if len(allowed) >= 2:
        assert cores[0] != cores[1]
    unpinned = _served_workers_cores(tmp_path, {"GUNICORN_PIN_WORKERS": "0"})
    assert unpinned == [allowed, allowed]


def test_a_core_that_cannot_be_taken_leaves_the_worker_serving_unpinned(monkeypatch):
    settings = _settings(monkeypatch)
    warnings = []
    server = SimpleNamespace(log=SimpleNamespace(warning=lambda *args: warnings.append(args)))

    def refuse(pid, cores):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "sched_setaffinity", refuse)
    settings["post_fork"](server, SimpleNamespace(core=7, pid=4242))
    assert warnings and warnings[0][1:3] == (4242, 7)
