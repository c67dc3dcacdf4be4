"""Work that comes from the clock, not from a request, and the worker that runs it beside the push sender.

The worker is `flask worker`, or one thread in the web process under INPROCESS_WORKER=1: it sends the outbox
(notifications.worker) and, every EVERY seconds, runs JOBS, so a deployment needs no cron. Every job is idempotent
and may run in several processes at once; a job that fails is logged and waits for the next round, and never stops
delivery. This module sits above the domains: it imports them, none imports it."""

import logging
import signal
import threading
import time
from collections.abc import Callable

import click
from flask import Flask
from flask.cli import with_appcontext

from citizen_app.extensions import db
from citizen_app.notifications.worker import PushWorker
from citizen_app.parking.reminders import send_expiry_reminders
from citizen_app.stats.warm import warm_all

log = logging.getLogger(__name__)
EVERY = 60.0  # seconds between rounds of timed jobs
JOBS: tuple[tuple[str, Callable[[], object]], ...] = (
    ("parking reminders", send_expiry_reminders),  # a session about to cost more
    ("open-data months", warm_all),  # months touched by new records, recomputed before anyone asks
)


def run_jobs() -> None:
    """One round of every timed job, each on its own: a failure is rolled back and the next job still runs."""
    for name, job in JOBS:
        try:
            job()
        except Exception:  # noqa: BLE001 - the worker must go on; the job runs again next round
            log.exception("timed job failed: %s", name)
            db.session.rollback()


class Clock:
    """Called on every turn of the worker's loop; runs a round of jobs at most every `every` seconds, the first
    at once."""

    def __init__(self, every: float = EVERY):
        self.every = every
        self.next_round = 0.0

    def __call__(self) -> None:
        if time.monotonic() >= self.next_round:
            run_jobs()
            self.next_round = time.monotonic() + self.every


def run_worker(stop: threading.Event, concurrency: int | None = None, batch_size: int | None = None) -> None:
    """Send the outbox and run the timed jobs until `stop` is set; needs an app context."""
    worker = PushWorker(concurrency, batch_size)
    try:
        worker.run_forever(stop, between=Clock())
    finally:
        worker.close()


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything that is due, then exit.")
@click.option("--concurrency", type=click.IntRange(1, 256), help="Pushes in flight at once (PUSH_CONCURRENCY).")
@click.option("--batch-size", type=click.IntRange(1, 5000), help="Messages claimed per batch (PUSH_BATCH_SIZE).")
@with_appcontext
def worker_command(once: bool, concurrency: int | None, batch_size: int | None) -> None:
    """The worker: sends queued Web Push messages and runs the timed jobs every minute until stopped
    (SIGTERM/SIGINT finish the batch). --once only sends what is due."""
    if once:
        worker = PushWorker(concurrency, batch_size)
        try:
            report = worker.drain()
        finally:
            worker.close()
        click.echo(f"claimed {report.claimed}, delivered {report.delivered}, pruned {report.pruned}, "
                   f"retrying {report.retried}, failed {report.failed}, skipped {report.skipped}, "
                   f"deferred {report.deferred}")
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    run_worker(stop, concurrency, batch_size)


class InProcessWorker:
    """The worker as one thread inside the web process, started by the first request, so that commands like
    `flask db upgrade` never start one."""

    def __init__(self, app: Flask):
        self.app = app
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        if self.thread is not None:
            return
        with self._lock:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="push-worker", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        with self.app.app_context():
            run_worker(self.stop)

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def register(app: Flask) -> None:
    """Adds the `worker` command and, under INPROCESS_WORKER, the in-process worker."""
    app.cli.add_command(worker_command)
    if not app.config.get("INPROCESS_WORKER"):
        return
    inprocess = app.extensions["push_worker"] = InProcessWorker(app)

    @app.before_request
    def _start_push_worker():
        inprocess.ensure_started()
