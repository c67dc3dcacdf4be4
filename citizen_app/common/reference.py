"""City-pack rows (letter types, kelurahan, parking zones) that a worker remembers for a few seconds.

They change only when `flask city load` loads a pack again, a few times a year, yet the busiest writes read them
on every request: a letter request its type and serving kelurahan, a parking start its zone. A worker keeps each
row it has read for CITY_PACK_RECHECK_SECONDS (default 10; 0 in tests) and then reads it again, so a pack loaded
by another process reaches every worker within that time; the process that loads it forgets at once. A row that
isn't there is not remembered: what was just added is found on the next request."""

import time

from flask import current_app

from citizen_app.common.memory import Kept

SIZE = 4096  # rows per kind: every kelurahan of a city, its letter types and zones, several times over


class Remembered:
    """`read(*key)` -> an immutable row or None, remembered per app and key."""

    def __init__(self, name: str, read):
        self.name = name
        self.read = read

    def __call__(self, *key):
        recheck = current_app.config["CITY_PACK_RECHECK_SECONDS"]
        if recheck <= 0:
            return self.read(*key)
        kept = current_app.extensions.setdefault("city_pack_rows", {}).get(self.name)
        if kept is None:
            kept = current_app.extensions["city_pack_rows"][self.name] = Kept(SIZE)
        now = time.monotonic()
        found = kept.get(key)
        if found is not None and now - found[0] < recheck:
            return found[1]
        row = self.read(*key)
        if row is not None:
            kept.put(key, (now, row))
        return row


def forget_all() -> None:
    """After this process loaded a pack: its workers' rows are read again on their next use."""
    current_app.extensions.pop("city_pack_rows", None)
