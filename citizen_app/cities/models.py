from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from citizen_app.extensions import db


class City(db.Model):
    __tablename__ = "cities"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # kupang
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(5))  # 53.71
    timezone: Mapped[str] = mapped_column(String(40))
    profile: Mapped[dict] = mapped_column(JSON)  # the whole city.json: letterhead, branding, brigade…
