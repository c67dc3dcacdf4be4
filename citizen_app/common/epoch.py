"""A change counter shared by every process that opens one SQLite database: eight bytes of a file beside it, mapped
into each process's memory. A committed write to the tables it watches moves it on
(extensions.WriteQueueConnection), so a worker may keep what it read of those tables and learn, by reading eight
bytes of memory, whether it may still use it. SQLite only: a database server's clients may live on other hosts."""

import fcntl
import mmap
import os
import struct
import threading

_U64 = struct.Struct("<Q")


class SharedEpoch:
    """`read()` is a plain memory read; `bump()` moves the counter on under an flock (rare: a sign-out, a change of
    a user). Writers bump after their commit, and readers read the counter before they read the database: a reader
    that saw the new count reads the new rows."""

    _open: dict[str, "SharedEpoch"] = {}
    _registry_lock = threading.Lock()

    def __init__(self, path: str):
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < _U64.size:
            os.ftruncate(self._fd, _U64.size)  # another process doing the same at once changes nothing
        self._map = mmap.mmap(self._fd, _U64.size)
        self._lock = threading.Lock()  # an flock is shared by the threads of a process

    @classmethod
    def at(cls, path: str) -> "SharedEpoch":
        """This process's counter in `path`, an absolute path."""
        epoch = cls._open.get(path)
        if epoch is None:
            with cls._registry_lock:
                epoch = cls._open.get(path)
                if epoch is None:
                    epoch = cls._open[path] = cls(path)
        return epoch

    @classmethod
    def _forget_after_fork(cls) -> None:
        # A forked child opens its own: the file it inherited is its parent's, and so is any flock on it, which
        # would not keep the two from bumping at once.
        cls._open = {}
        cls._registry_lock = threading.Lock()

    def read(self) -> int:
        return _U64.unpack_from(self._map)[0]

    def bump(self) -> None:
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                _U64.pack_into(self._map, 0, (self.read() + 1) % 2**64)
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)


os.register_at_fork(after_in_child=SharedEpoch._forget_after_fork)
