"""The deployment's gunicorn settings (config/gunicorn.py) load and serve the app, as the README runs them."""

import os
import subprocess
import sys
from pathlib import Path

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
