"""The worker runs the timed jobs (citizen_app.jobs) on its loop; a failing job never stops the others or delivery."""

import threading

from citizen_app import jobs


def test_a_round_runs_every_job_even_after_one_fails(app, monkeypatch):
    calls = []

    def failing():
        calls.append("failing")
        raise RuntimeError("down")

    monkeypatch.setattr(jobs, "JOBS", (("failing", failing), ("fine", lambda: calls.append("fine"))))
    with app.app_context():
        clock = jobs.Clock(every=3600)
        clock()
        clock()  # within the interval: no second round
    assert calls == ["failing", "fine"]


def test_the_worker_loop_runs_the_jobs(app, monkeypatch):
    stop = threading.Event()
    ran = []

    def job():
        ran.append(True)
        stop.set()

    monkeypatch.setattr(jobs, "JOBS", (("job", job),))
    with app.app_context():
        jobs.run_worker(stop, concurrency=1, batch_size=10)
    assert ran == [True]
