"""Tell a driver shortly before the hourly surcharge starts; a worker or cron calls this every few minutes."""

from datetime import timedelta

from sqlalchemy import select, update

from citizen_app.common.time import as_utc, utcnow
from citizen_app.extensions import db
from citizen_app.notifications.events import notify
from citizen_app.parking.models import ParkingSession, ParkingZone
from citizen_app.parking.tariffs import surcharge_starts_after

LEAD = timedelta(minutes=10)


def send_expiry_reminders(now=None, lead: timedelta = LEAD) -> int:
    now = now or utcnow()
    candidates = db.session.execute(
        select(ParkingSession, ParkingZone).join(ParkingZone, ParkingZone.code == ParkingSession.zone_code)
        .where(ParkingSession.status == "active", ParkingSession.reminded_at.is_(None),
               ParkingSession.user_id.is_not(None), ParkingZone.hourly_surcharge > 0)
    ).all()
    sent = 0
    for session, zone in candidates:
        surcharge_at = as_utc(session.started_at) + timedelta(seconds=surcharge_starts_after(zone))
        if not surcharge_at - lead <= now < surcharge_at:
            continue
        # The guarded UPDATE makes two overlapping runs remind once.
        if not db.session.execute(update(ParkingSession).where(ParkingSession.id == session.id,
                                                               ParkingSession.reminded_at.is_(None))
                                  .values(reminded_at=now)).rowcount:
            continue
        minutes = max(1, int((surcharge_at - now).total_seconds() // 60))
        notify([session.user_id], "parking.expiring", "Waktu parkir hampir habis",
               f"{session.plate_number} di {zone.name}: {minutes} menit lagi tarif tambahan "
               f"Rp{zone.hourly_surcharge:,} per jam berlaku.".replace(",", "."),
               url=f"/#/parking/sessions/{session.id}", data={"session_id": session.id})
        sent += 1
    db.session.commit()
    return sent
