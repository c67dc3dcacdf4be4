from flask import Flask


def register(app: Flask) -> None:
    """Adds the notification worker command (and the in-process worker on the embedded default)."""
