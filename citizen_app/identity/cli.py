import click
from flask.cli import AppGroup

from citizen_app.errors import ApiError
from citizen_app.i18n import translate_tree
from citizen_app.identity.models import ROLES
from citizen_app.identity.services import create_staff

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice([r for r in ROLES if r != "resident"]))
@click.option("--kelurahan", "kelurahan_code")
@click.option("--zone", "zone_code")
@click.option("--team", "team_id", type=int)
@click.option("--full-name", "full_name")
@click.option("--nip")
@click.option("--title")
def create(**options) -> None:
    """Create a staff account."""
    data = {k: v for k, v in options.items() if v is not None}
    try:
        user = create_staff(None, data)
    except ApiError as exc:
        detail = translate_tree(exc.errors, "en") if exc.errors else ""
        raise click.ClickException(f"{exc.message} {detail}".strip()) from None
    click.echo(f"Created {user.role} {user.username} (id {user.id})")
