"""The open-data dashboard, signed out on a phone: charts drawn as SVG with accessible names, small counts shown as
"<5" and never plotted, CSV links that carry the chosen period."""

from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from citizen_app.brigade.models import BrigadeCall
from citizen_app.extensions import db
from citizen_app.parking.models import ParkingSession, Payment
from tests.conftest import HOME, OTHER
from tests.pwa.conftest import shot
from tests.stats.test_document_stats import add_request


def month_start(months_back: int) -> date:
    today = date.today()
    y, m = divmod(today.year * 12 + today.month - 1 - months_back, 12)
    return date(y, m + 1, 1)


def seed(app, resident_id):
    last, earlier = month_start(1), month_start(2)
    at = lambda d: datetime(d.year, d.month, 10, 2, 0, tzinfo=UTC)  # noqa: E731 - 10:00 in Kupang
    with app.app_context():
        # Letters: last month six at HOME (five signed) and three at OTHER; the month before, three at HOME only.
        for hours in (1, 2, 3, 4, 5):
            add_request(resident_id, at(last), HOME, HOME, "signed", hours)
        add_request(resident_id, at(last), HOME, HOME, "rejected")
        for _ in range(3):
            add_request(resident_id, at(last), OTHER, OTHER)
            add_request(resident_id, at(earlier), HOME, HOME)
        # Brigade: six calls last month, on scene after 10..20 minutes; two the month before.
        for i, (when, n) in enumerate(((at(last), 6), (at(earlier), 2))):
            for k in range(n):
                db.session.add(BrigadeCall(
                    resident_id=resident_id, category="demam_tinggi", complaint="x", patient_name="P", patient_age=40,
                    contact_phone="+6281200000000", address="x", status="completed", created_at=when, version=1,
                    dispatched_at=when + timedelta(minutes=3), on_scene_at=when + timedelta(minutes=10 + 2 * k + i)))
        # Parking: five paid sessions last month (QRIS and cash), two the month before.
        for day, n in ((at(last).date(), 5), (at(earlier).date(), 2)):
            for k in range(n):
                s = ParkingSession(zone_code="KPG-ELTARI", plate_number=f"DH {day.month}{k} X", vehicle_class="car",
                                   started_by_id=resident_id, user_id=resident_id, status="paid", started_on=day,
                                   started_at=datetime.combine(day, datetime.min.time(), UTC))
                db.session.add(s)
                db.session.flush()
                method = "cash" if k == 0 else "qris"
                db.session.add(Payment(reference=f"T{s.id}", purpose="parking", method=method, session_id=s.id,
                                       zone_code=s.zone_code, user_id=resident_id, created_by_id=resident_id,
                                       amount=2000 if method == "cash" else 5000, status="paid", paid_on=day))
        db.session.commit()
    return last, earlier


def cells(table, row_label) -> list[str]:
    return table.locator("tbody tr").filter(has_text=row_label).locator("th, td").all_text_contents()


@pytest.mark.browser
def test_dashboard_signed_out_on_a_phone(page, app, make_resident):
    last, earlier = seed(app, make_resident().id)
    page.goto("/")
    page.get_by_role("link", name="Data terbuka").click()
    expect(page.get_by_role("heading", name="Data Terbuka", level=1)).to_be_visible()
    for name in ("documents", "brigade", "parking", "permits"):
        page.locator(f"#stats-{name} .generated").wait_for()

    # Every chart is an image named by its title and described by its figures.
    charts = page.locator("svg.chart-svg[role=img]")
    assert charts.count() == 5
    expect(page.get_by_role("img", name="Surat diajukan dan ditandatangani per bulan, seluruh kota")).to_be_visible()
    expect(page.get_by_role("img", name="Menit dari panggilan sampai tim tiba")).to_be_visible()
    expect(page.get_by_role("img", name="Jumlah izin per sektor")).to_be_visible()
    for i in range(charts.count()):
        assert charts.nth(i).locator("title").first.text_content()
        assert charts.nth(i).locator("desc").text_content()
        assert charts.nth(i).locator("rect, circle").count() > 0

    # Small counts: "<5" in the tables, hatched marks (not bars) in the chart, explained in the legend.
    earlier_label, last_label = (page.evaluate(
        "(d) => new Intl.DateTimeFormat('id', {month: 'short', year: 'numeric', timeZone: 'UTC'}).format(new Date(d))",
        m.isoformat()) for m in (earlier, last))
    docs = page.locator("#stats-documents")
    table = docs.locator("details.data-table").first
    assert cells(table, earlier_label) == [earlier_label, "<5", "0", "0"]
    # Last month: HOME's six plus OTHER's "<5" is at least seven; OTHER signed none, so signed stays exact.
    assert cells(table, last_label) == [last_label, "≥ 7", "5", "<5"]
    assert docs.locator("svg rect.hidden-mark").count() >= 2
    expect(docs.locator(".legend")).to_contain_text("di bawah 5")
    expect(docs.locator(".kpi").first).to_contain_text("≥ 8")  # six, plus two hidden cells of at least one
    brigade = page.locator("#stats-brigade")
    assert cells(brigade.locator("details.data-table"), earlier_label)[:2] == [earlier_label, "<5"]
    expect(brigade.locator(".kpi").nth(1)).to_contain_text("15 mnt")  # median of 10, 12, …, 20 minutes
    assert brigade.locator("svg circle.dot").count() == 2  # median and p90 for last month only
    parking = page.locator("#stats-parking")
    assert cells(parking.locator("details.data-table"), earlier_label)[:2] == [earlier_label, "<5"]
    expect(parking.locator(".kpi").first).to_contain_text("29.000")  # 2,000 cash + 4 × 5,000 QRIS, then 2,000 + 5,000

    # The CSV links ask the API for the same period as the charts.
    start = month_start(11).isoformat()
    for name in ("documents", "brigade", "parking", "permits"):
        href = page.locator(f"#stats-{name} a.csv").get_attribute("href")
        assert href == f"/api/v1/stats/{name}?from={start}&to={date.today().isoformat()}&format=csv", href
        response = page.request.get(href)
        assert response.ok and response.headers["content-type"].startswith("text/csv")
    docs.get_by_text("Tabel data").click()
    expect(table.locator("table")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing wider than the phone
    shot(page, "stats-dashboard")

    # Choosing another period reloads the figures and the links for it.
    page.get_by_label("Periode").select_option("6")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#/stats?from={month_start(5).isoformat()}&to={date.today().isoformat()}&p=6")
    page.locator("#stats-documents .generated").wait_for()
    assert f"from={month_start(5).isoformat()}" in page.locator("#stats-documents a.csv").get_attribute("href")

    # A period parking refuses (over 366 days) says why in its own section; the other sections still show.
    page.goto(f"/#/stats?from={month_start(23).isoformat()}&to={date.today().isoformat()}&p=custom")
    page.locator("#stats-documents .generated").wait_for()
    expect(page.locator("#stats-parking [role=alert]")).to_contain_text("366")
    expect(page.locator("#stats-parking svg")).to_have_count(0)
    expect(page.get_by_label("Periode")).to_have_value("custom")
