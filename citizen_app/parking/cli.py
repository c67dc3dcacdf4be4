import click

from citizen_app.parking.blueprint import blp


@blp.cli.command("remind")
def remind() -> None:
    """Send parking reminders due now (run every few minutes from cron or the worker)."""
    from citizen_app.parking.reminders import send_expiry_reminders

    click.echo(f"reminders sent: {send_expiry_reminders()}")
