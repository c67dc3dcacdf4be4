import click
from flask.cli import AppGroup

from citizen_app.cities.pack import UnknownCity
from citizen_app.cities.services import load_city

city_cli = AppGroup("city", help="City data packs.")


@city_cli.command("load")
@click.argument("code")
def load(code: str) -> None:
    """Load or update a city pack (idempotent)."""
    try:
        summary = load_city(code)
    except UnknownCity as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Loaded city {code}: {summary}")
