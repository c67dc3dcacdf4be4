from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from citizen_app.extensions import db


class Kecamatan(db.Model):
    __tablename__ = "kecamatan"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # 53.71.05
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    kelurahan: Mapped[list["Kelurahan"]] = relationship(back_populates="kecamatan", order_by="Kelurahan.code")


class Kelurahan(db.Model):
    __tablename__ = "kelurahan"
    __table_args__ = (Index("ix_kelurahan_city_name", "city_code", "name"),)

    code: Mapped[str] = mapped_column(String(13), primary_key=True)  # 53.71.05.1005
    kecamatan_code: Mapped[str] = mapped_column(ForeignKey("kecamatan.code"), index=True)
    city_code: Mapped[str] = mapped_column(ForeignKey("cities.code"))
    name: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(5))

    kecamatan: Mapped[Kecamatan] = relationship(back_populates="kelurahan", lazy="joined")
