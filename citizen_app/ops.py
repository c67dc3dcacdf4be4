"""Operations commands: backup and restore of the embedded SQLite database."""

import shutil
import sqlite3
from pathlib import Path

import click
from flask import Flask

from citizen_app.extensions import db


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException(
            "backup/restore are for the SQLite default; on PostgreSQL use pg_dump -Fc / pg_restore (README)."
        )
    return Path(url.database)


def register_ops_cli(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("target", type=click.Path(dir_okay=False))
    def backup(target: str) -> None:
        """Consistent online backup of the SQLite database (safe while the app serves)."""
        source = sqlite3.connect(_sqlite_path())
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
        click.echo(f"Backed up to {target}")

    @app.cli.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Replace the current database without asking.")
    def restore(source: str, yes: bool) -> None:
        """Replace the SQLite database with a backup (stop the app first)."""
        check = sqlite3.connect(source)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise click.ClickException("backup file failed its integrity check")
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"not a SQLite database: {exc}") from None
        finally:
            check.close()
        target = _sqlite_path()
        if not yes:
            click.confirm(f"Replace {target}?", abort=True)
        db.engine.dispose()
        tmp = target.with_suffix(".restoring")
        shutil.copyfile(source, tmp)
        tmp.replace(target)
        for suffix in ("-wal", "-shm"):
            Path(str(target) + suffix).unlink(missing_ok=True)
        click.echo(f"Restored {target} from {source}")
