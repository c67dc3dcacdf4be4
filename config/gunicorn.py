"""gunicorn settings: `gunicorn -c config/gunicorn.py wsgi:app` (the README's deployment and the load benchmark,
which runs its bare baseline with the same file). Command-line flags override what is set here.

- Two workers of two threads for a 2-core machine. Threads of one worker share its GIL, so more of them mostly wait
  for each other: two served the benchmark's writes at least as fast as four, with a lower p99 at 50 users. One
  thread would be faster still (a gthread worker with one thread: the writes at 0.27-0.30 of the bare figure
  against about 0.2), but then one slow call, such as a payment provider's 10 s timeout, holds every request of its
  worker. (`--threads 1` alone gives gunicorn's sync worker, which waits on a connection until its client sends: p50
  65 ms with 50 users pausing between taps.)
- Each worker pinned to a core of its own (pre_fork/post_fork below; GUNICORN_PIN_WORKERS=0 turns it off). A
  worker's threads hand its GIL to each other at every database call; free to run on any core, the thread that
  takes the GIL often woke on the other core, and the two workers' threads kept trading cores and caches. Pinned,
  the load benchmark's letter requests went from 0.24 of the bare figure to 0.28-0.31 and letter verification from
  0.50 to 0.59-0.65 (`python -m bench load`, one machine, one afternoon); the bare figure itself didn't move. The
  arbiter gives each new worker the allowed core (the container's, if it is limited) with the fewest live workers,
  so a replacement takes the core its predecessor left.
- reuse_port: each worker gets its own listening socket and the kernel spreads connections over them. With one
  shared socket, long-lived connections (a proxy's keep-alive pool) could all land on one worker (seen: 50/0)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
reuse_port = True

pin_workers = os.environ.get("GUNICORN_PIN_WORKERS", "1") != "0"


def pre_fork(server, worker):
    """Choose the new worker's core, in the arbiter: the allowed core with the fewest live workers."""
    if not pin_workers or not hasattr(os, "sched_getaffinity"):
        return
    allowed = sorted(os.sched_getaffinity(0))
    taken = [getattr(w, "core", None) for w in server.WORKERS.values()]
    worker.core = min(allowed, key=lambda core: (taken.count(core), core))


def post_fork(server, worker):
    core = getattr(worker, "core", None)
    if core is None:
        return
    try:
        os.sched_setaffinity(0, {core})
    except OSError as exc:  # the core left the allowed set since pre_fork: serve unpinned rather than not at all
        server.log.warning("worker %s not pinned to core %s: %s", worker.pid, core, exc)
