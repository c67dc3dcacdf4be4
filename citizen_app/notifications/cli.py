import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from citizen_app.notifications.worker import PushWorker


@click.command("worker")
@click.option("--once", is_flag=True, help="Send everything that is due, then exit.")
@click.option("--concurrency", type=click.IntRange(1, 256), help="Pushes in flight at once (PUSH_CONCURRENCY).")
@click.option("--batch-size", type=click.IntRange(1, 5000), help="Messages claimed per batch (PUSH_BATCH_SIZE).")
@with_appcontext
def worker_command(once: bool, concurrency: int | None, batch_size: int | None) -> None:
    """The notification worker: sends queued Web Push messages until stopped (SIGTERM/SIGINT finish the batch)."""
    worker = PushWorker(concurrency, batch_size)
    try:
        if once:
            report = worker.drain()
            click.echo(f"claimed {report.claimed}, delivered {report.delivered}, pruned {report.pruned}, "
                       f"retrying {report.retried}, failed {report.failed}, skipped {report.skipped}, "
                       f"deferred {report.deferred}")
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        worker.run_forever(stop)
    finally:
        worker.close()


class InProcessWorker:
    """The embedded default: one worker thread inside the web process, started by the first request so that
    commands like `flask db upgrade` never start one."""

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
            worker = PushWorker()
            try:
                worker.run_forever(self.stop)
            finally:
                worker.close()

    def shutdown(self, timeout: float = 10.0) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout)


def register(app: Flask) -> None:
    """Adds the notification worker command (and the in-process worker on the embedded default)."""
    app.cli.add_command(worker_command)
    if not app.config.get("INPROCESS_WORKER"):
        return
    inprocess = app.extensions["push_worker"] = InProcessWorker(app)

    @app.before_request
    def _start_push_worker():
        inprocess.ensure_started()


def inprocess_worker() -> InProcessWorker | None:
    return current_app.extensions.get("push_worker")
