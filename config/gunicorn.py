"""gunicorn settings: `gunicorn -c config/gunicorn.py wsgi:app` (the README's deployment and the load benchmark,
which runs its bare baseline with the same file). Command-line flags override what is set here.

- Two workers of two threads for a 2-core machine (WEB_CONCURRENCY, GUNICORN_THREADS). A second thread lets a
  worker go on serving while one request waits on the database or a slow outbound call (a payment provider's
  10 s timeout); more threads of one worker mostly wait for its GIL. `--threads 1` alone would give gunicorn's
  sync worker, which waits on a connection until its client sends.
- reuse_port: each worker gets its own listening socket and the kernel spreads connections over them. With one
  shared socket, long-lived connections (a proxy's keep-alive pool) could all land on one worker."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
reuse_port = True
