"""Demo accounts for a new database (`flask --app wsgi demo seed`), printed once."""

import os
import secrets
from collections.abc import Callable
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from citizen_app.cities.services import current_city_code, current_city_profile
from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.nik import make_nik
from citizen_app.identity.services import create_staff, register_resident
from citizen_app.regions.models import Kelurahan

demo_cli = AppGroup("demo", help="Demo data.")
# Domains add their demo data here: hook(accounts: dict[str, User]) -> list of lines to print.
_hooks: list[Callable[[dict], list[str]]] = []


def register_demo_hook(hook: Callable[[dict], list[str]]) -> None:
    if hook not in _hooks:
        _hooks.append(hook)


def seed_demo(password: str) -> tuple[dict[str, User], list[str]]:
    kelurahan = db.session.scalars(
        select(Kelurahan).where(Kelurahan.city_code == current_city_code()).order_by(Kelurahan.code).limit(2)
    ).all()
    if len(kelurahan) < 2:
        raise click.ClickException("load a city pack first: flask --app wsgi city load kupang")
    home = kelurahan[0]
    birth = date(1990, 8, 17)
    accounts = {
        "resident": register_resident({
            "nik": make_nik(home.kecamatan_code, birth, "female", 1),
            "full_name": "Maria Ndolu",
            "birth_date": birth,
            "gender": "female",
            "phone": "081234567890",
            "password": password,
            "kelurahan_code": home.code,
            "address": "Jl. Timor Raya No. 12",
            "birth_place": current_city_profile()["name"].removeprefix("Kota "),
            "religion": "Kristen",
            "marital_status": "Kawin",
            "occupation": "Wiraswasta",
            "rt": "003",
            "rw": "001",
        })
    }
    for i, kel in enumerate(kelurahan, start=1):
        accounts[f"clerk{i}"] = create_staff(None, {
            "username": f"clerk{i}", "password": password, "role": "clerk",
            "full_name": f"Staf Kelurahan {kel.name}", "kelurahan_code": kel.code,
        })
        accounts[f"lurah{i}"] = create_staff(None, {
            "username": f"lurah{i}", "password": password, "role": "lurah",
            "full_name": f"Lurah {kel.name}", "kelurahan_code": kel.code,
            "nip": f"19800101200501100{i}", "title": f"Lurah {kel.name}",
        })
    for role, username in (
        ("dispatcher", "dispatcher"), ("medic", "medic"), ("parking_attendant", "jukir"),
        ("permit_admin", "permitadmin"), ("city_admin", "admin"),
    ):
        accounts[username] = create_staff(None, {
            "username": username, "password": password, "role": role, "full_name": username.title(),
        })
    lines = []
    for hook in _hooks:
        lines += hook(accounts)
    db.session.commit()
    return accounts, lines


@demo_cli.command("seed")
def seed() -> None:
    """Create demo accounts if the database has no users yet."""
    if db.session.scalar(select(func.count()).select_from(User)):
        click.echo("Database already has users; demo accounts not created.")
        return
    password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
    accounts, lines = seed_demo(password)
    click.echo(f"\nDemo accounts (shown once; password for all: {password})")
    for user in accounts.values():
        login = user.username or user.phone
        scope = user.kelurahan_code or user.zone_code or (f"team {user.team_id}" if user.team_id else "")
        click.echo(f"  {user.role:<18} login {login:<16} {user.full_name}  {scope}")
    for line in lines:
        click.echo("  " + line)
