"""A bounded, thread-safe memory of answers a worker has already worked out (permit searches, verified QRs)."""

import threading


class Kept:
    """Keeps at most `size` entries; when full, the oldest goes. Reads take no lock: a dict read is atomic."""

    def __init__(self, size: int):
        self.size = size
        self._items: dict = {}
        self._lock = threading.Lock()

    def get(self, key):
        return self._items.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            if key not in self._items and len(self._items) >= self.size:
                self._items.pop(next(iter(self._items)))  # the oldest
            self._items[key] = value

    def forget(self, key) -> None:
        self._items.pop(key, None)

    def __contains__(self, key) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
