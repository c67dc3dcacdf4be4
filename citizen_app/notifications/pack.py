"""Demo data for `make run`: the resident's inbox isn't empty on first look. (No city-pack data to load.)"""

from citizen_app.notifications.events import notify


def demo(accounts: dict) -> list[str]:
    resident = accounts.get("resident")
    if resident is None:
        return []
    notify([resident.id], "account.welcome", "Selamat datang",
           "Aktifkan notifikasi agar tahu saat surat Anda siap, brigade menuju lokasi, atau parkir hampir habis.",
           url="/#/notifications")
    return ["notifications: a welcome message in the resident's inbox; `flask --app wsgi worker` sends pushes"]
