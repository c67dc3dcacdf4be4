import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.pwa.conftest import shot, sign_in, sign_out, wait_for_service_worker

KUPANG = {"latitude": -10.1700, "longitude": 123.6070}


def _fill_call(page) -> None:
    page.get_by_role("heading", name="Brigade Sehat").wait_for()
    page.get_by_label("Keluhan utama").select_option(index=1)
    page.get_by_label("Ceritakan keadaannya").fill("Ibu sesak napas sejak pagi")
    page.get_by_label("Umur pasien (tahun)").fill("67")
    page.get_by_label("Alamat / patokan").fill("Jl. Timor Raya 5, depan kios biru")
    expect(page.locator("#gps-status")).to_contain_text("ditemukan")


@pytest.mark.browser
def test_call_dispatch_and_medic_flow(page, context, make_resident, make_user, client, auth_headers):
    context.grant_permissions(["geolocation"])
    context.set_geolocation(KUPANG)
    resident = make_resident(full_name="Maria Ndun")
    dispatcher = make_user("dispatcher")
    team = client.post("/api/v1/brigade/teams", headers=auth_headers(dispatcher),
                       json={"name": "Tim Alpha", "latitude": -10.16, "longitude": 123.60}).get_json()
    medic = make_user("medic", team_id=team["id"])

    sign_in(page, resident.nik_plain, PASSWORD)
    page.goto("/#/brigade")
    _fill_call(page)
    shot(page, "brigade-call")
    page.get_by_role("button", name="PANGGIL BRIGADE").click()
    page.get_by_role("heading", name="Status panggilan").wait_for()
    expect(page.locator(".verdict h2")).to_have_text("Diterima")
    calls = client.get("/api/v1/brigade/calls", headers=auth_headers(dispatcher)).get_json()["items"]
    assert len(calls) == 1 and calls[0]["latitude"] == pytest.approx(KUPANG["latitude"])
    call_id = calls[0]["id"]
    sign_out(page)

    sign_in(page, dispatcher.username, PASSWORD)
    page.goto("/#/dispatch")
    page.locator("#call-board a").first.click()
    page.get_by_role("button", name="Merah (gawat)").click()
    expect(page.locator(".facts")).to_contain_text("Merah")
    page.get_by_role("button", name="Tugaskan").first.click()
    expect(page.locator(".facts")).to_contain_text("Tim Alpha")
    shot(page, "dispatch-call")
    sign_out(page)

    sign_in(page, medic.username, PASSWORD)
    page.goto("/#/medic")
    page.get_by_role("button", name="Berangkat").click()
    page.get_by_role("button", name="Tiba di lokasi").click()
    shot(page, "medic")
    page.get_by_role("button", name="Ditangani di rumah").click()
    page.get_by_text("Tidak ada panggilan untuk tim Anda.").wait_for()
    sign_out(page)

    detail = client.get(f"/api/v1/brigade/calls/{call_id}", headers=auth_headers(resident)).get_json()
    assert detail["status"] == "completed" and detail["outcome"] == "treated_at_home"
    sign_in(page, resident.nik_plain, PASSWORD)
    page.goto(f"/#/brigade/{call_id}")
    expect(page.locator(".verdict h2")).to_have_text("Selesai")
    shot(page, "brigade-status")


@pytest.mark.browser
def test_call_made_offline_is_queued_and_sent_once(page, context, make_resident, make_user, client, auth_headers):
    context.grant_permissions(["geolocation"])
    context.set_geolocation(KUPANG)
    resident = make_resident()
    dispatcher = make_user("dispatcher")
    sign_in(page, resident.nik_plain, PASSWORD)
    wait_for_service_worker(page)
    page.goto("/#/brigade")
    _fill_call(page)
    context.set_offline(True)
    page.get_by_role("button", name="PANGGIL BRIGADE").click()
    page.locator("#brigade-pending").wait_for()
    expect(page.locator("#pending")).to_contain_text("1 kiriman")
    shot(page, "brigade-pending")
    assert client.get("/api/v1/brigade/calls", headers=auth_headers(dispatcher)).get_json()["total"] == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending")).to_be_hidden()
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    calls = client.get("/api/v1/brigade/calls", headers=auth_headers(dispatcher)).get_json()["items"]
    assert len(calls) == 1 and calls[0]["complaint"] == "Ibu sesak napas sejak pagi"
