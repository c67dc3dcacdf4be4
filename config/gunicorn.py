"""gunicorn settings: `gunicorn -c config/gunicorn.py wsgi:app` (the README's deployment and the load benchmark,
which runs its bare baseline with the same file). Command-line flags override what is set here.

- Two workers of two threads for a 2-core machine. Threads of one worker share its GIL, so more of them mostly wait
  for each other: two served the benchmark's writes at least as fast as four, with a lower p99 at 50 users. One
  thread would be faster still (a gthread worker with one thread: the writes at 0.27-0.30 of the bare figure
  against about 0.2), but then one slow call, such as a payment provider's 10 s timeout, holds every request of its
  worker. (`--threads 1` alone gives gunicorn's sync worker, which waits on a connection until its client sends: p50
  65 ms with 50 users pausing between taps.)
- reuse_port: each worker gets its own listening socket and the kernel spreads connections over them. With one
  shared socket, long-lived connections (a proxy's keep-alive pool) could all land on one worker (seen: 50/0)."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
reuse_port = True
