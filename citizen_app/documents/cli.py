import click
from flask import current_app

from citizen_app.api import Blueprint
from citizen_app.documents import signing


def register(blp: Blueprint) -> None:
    """Commands ride on the blueprint: `flask --app wsgi documents rotate-key`."""

    @blp.cli.command("rotate-key")
    def rotate_key() -> None:
        """Start signing with a new key; the old one stays in the trust list until its letters expire."""
        new, old = signing.rotate_key(current_app.config["KEYS_DIR"])
        click.echo(f"Active signing key: {new.kid_b64}")
        if old is not None:
            click.echo(f"Retired key: {old.kid_b64} (kept in the trust list while its letters are valid)")
