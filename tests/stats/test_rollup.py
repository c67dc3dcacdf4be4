"""Monthly rollups: whole months come from stored rows, edge months are computed live, and a record written
for a month (a new request, a transition's history row) makes that month be computed again."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from citizen_app.documents.models import LetterRequest, RequestEvent
from citizen_app.extensions import db
from citizen_app.stats import documents, rollup
from citizen_app.stats.models import StatsMonth
from citizen_app.stats.rollup import period_rows
from tests.conftest import HOME, OTHER
from tests.stats.test_document_stats import add_request

MARCH = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def _letters(resident_id):
    for hours in (1, 2, 3, 4, 10):
        add_request(resident_id, MARCH, HOME, OTHER, "signed", hours)
    add_request(resident_id, datetime(2026, 4, 20, 2, 0, tzinfo=UTC), HOME, HOME, "submitted")
    add_request(resident_id, datetime(2026, 5, 2, 2, 0, tzinfo=UTC), HOME, HOME, "signed", 5)
    db.session.commit()


def test_any_period_equals_the_live_computation_and_stores_only_whole_months(app, make_resident):
    resident = make_resident()
    with app.app_context():
        _letters(resident.id)
        for start, end in ((None, None), (date(2026, 3, 10), date(2026, 4, 30)), (date(2026, 3, 1), date(2026, 5, 1)),
                           (date(2026, 3, 11), date(2026, 3, 20)), (date(2020, 1, 1), date(2099, 12, 31))):
            assert period_rows(documents.DATASET, start, end) == documents.document_stats(start, end), (start, end)
            if start is None:  # open ends cover the data's first and last months whole
                assert {m.month for m in db.session.scalars(select(StatsMonth))} == {"2026-03", "2026-04", "2026-05"}
        stored = set(db.session.scalars(select(StatsMonth.month).where(StatsMonth.dataset == "documents")))
        assert stored == {"2026-03", "2026-04", "2026-05"}  # months outside the data are never stored


def test_stored_months_are_reused(app, make_resident):
    resident = make_resident()
    with app.app_context():
        _letters(resident.id)
        period_rows(documents.DATASET, date(2026, 3, 1), date(2026, 3, 31))
        march = db.session.get(StatsMonth, ("documents", "kupang", "2026-03"))
        march.rows = [{"month": "2026-03", "marker": True}]
        db.session.commit()
        assert period_rows(documents.DATASET, date(2026, 3, 1), date(2026, 3, 31)) == march.rows


def test_a_transition_on_an_old_request_recomputes_its_month_only(app, make_resident, monkeypatch):
    monkeypatch.setattr(rollup, "ID_MARGIN", 0)  # look only at the rows written after the last check
    resident = make_resident()
    with app.app_context():
        _letters(resident.id)
        period_rows(documents.DATASET, None, None)
        computed = {m.month: m.computed_at for m in db.session.scalars(select(StatsMonth))}
        april = db.session.scalar(select(LetterRequest).where(LetterRequest.status == "submitted"))
        april.status = "rejected"
        db.session.add(RequestEvent(request_id=april.id, action="reject", from_status="submitted",
                                    to_status="rejected", created_at=MARCH))
        db.session.commit()
        rows = period_rows(documents.DATASET, None, None)
        assert rows == documents.document_stats(None, None)
        assert next(r for r in rows if r["month"] == "2026-04")["rejected"] == "<5"
        after = {m.month: m.computed_at for m in db.session.scalars(select(StatsMonth))}
        assert after["2026-04"] > computed["2026-04"]
        assert (after["2026-03"], after["2026-05"]) == (computed["2026-03"], computed["2026-05"])


def test_the_worker_and_the_cli_store_every_month_before_anyone_asks(app, runner, make_resident):
    from citizen_app.jobs import run_jobs

    resident = make_resident()
    with app.app_context():
        _letters(resident.id)
        run_jobs()
        stored = {m.month: m.computed_at for m in db.session.scalars(
            select(StatsMonth).where(StatsMonth.dataset == "documents"))}
        assert set(stored) == {"2026-03", "2026-04", "2026-05"}
    result = runner.invoke(args=["stats", "warm"])
    assert result.exit_code == 0, result.output
    assert "documents: 3 months current" in result.output
    assert "brigade: 0 months current" in result.output
    with app.app_context():  # already current: read, not computed again
        assert {m.month: m.computed_at for m in db.session.scalars(
            select(StatsMonth).where(StatsMonth.dataset == "documents"))} == stored
