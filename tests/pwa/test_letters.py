import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.pwa.conftest import PNG_1PX, shot, sign_in, sign_out, wait_for_service_worker


def _request_letter(page, purpose: str) -> None:
    page.goto("/#/letters/new")
    page.locator("a[href='#/letters/new/domisili']").click()
    page.get_by_role("heading", name="Surat Keterangan Domisili").wait_for()
    page.get_by_label("Keperluan").fill(purpose)
    page.get_by_label("RT", exact=True).fill("003")
    page.get_by_label("RW", exact=True).fill("001")


@pytest.mark.browser
def test_letter_from_request_to_signature_then_verified_online_and_offline(page, context, make_resident, make_user,
                                                                           client, auth_headers):
    resident = make_resident(full_name="Maria Ndun")
    clerk = make_user("clerk")
    lurah = make_user("lurah", full_name="Yakobus Bele")

    sign_in(page, resident.nik_plain, PASSWORD)
    _request_letter(page, "Melamar pekerjaan")
    page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "pengantar.png", "mimeType": "image/png", "buffer": PNG_1PX}])
    shot(page, "letter-form")
    page.get_by_role("button", name="Kirim permohonan").click()
    page.get_by_text("Kode lacak").wait_for()
    expect(page.locator(".facts").first).to_contain_text("Diajukan")
    page.get_by_text("pengantar.png").wait_for()
    shot(page, "letter-detail-submitted")
    mine = client.get("/api/v1/documents/requests", headers=auth_headers(resident)).get_json()["items"]
    assert len(mine) == 1 and mine[0]["status"] == "submitted"
    request_id = mine[0]["id"]
    sign_out(page)

    sign_in(page, clerk.username, PASSWORD)
    page.goto("/#/queue")
    page.locator("#queue-list a").first.click()
    page.get_by_text("Maria Ndun").first.wait_for()
    page.get_by_role("button", name="Periksa").click()
    page.get_by_role("button", name="Setujui").click()
    expect(page.locator(".facts").nth(1)).to_contain_text("Disetujui")
    shot(page, "clerk-request")
    sign_out(page)

    sign_in(page, lurah.username, PASSWORD)
    page.goto("/#/queue")
    shot(page, "lurah-queue")
    page.locator("#queue-list a").first.click()
    page.get_by_role("button", name="Tanda tangani").click()
    page.locator(".qr-box img").wait_for()
    shot(page, "lurah-signed")
    sign_out(page)

    detail = client.get(f"/api/v1/documents/requests/{request_id}", headers=auth_headers(resident)).get_json()
    assert detail["status"] == "signed"
    qr_text = detail["letter"]["qr_text"]
    token = qr_text.split("#", 1)[1]

    sign_in(page, resident.nik_plain, PASSWORD)
    page.goto(f"/#/letters/{request_id}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh surat (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")

    wait_for_service_worker(page)
    page.goto(f"/v#{token}")
    expect(page.locator("#verdict-offline")).to_have_attribute("data-result", "valid")
    expect(page.locator("#verdict-online")).to_have_attribute("data-result", "valid")
    expect(page.locator("#verdict-online")).to_contain_text("Yakobus Bele")
    shot(page, "verify-online")
    page.wait_for_function("""() => caches.open('data-v1').then(c => Promise.all(
        ['/api/v1/documents/trust-list', '/api/v1/documents/revocations'].map(u => c.match(u))))
        .then(r => r.every(Boolean))""")

    context.set_offline(True)
    page.reload()
    expect(page.locator("#verdict-offline")).to_have_attribute("data-result", "valid")
    expect(page.locator("#verdict-online")).to_have_attribute("data-result", "offline")
    expect(page.locator("#verdict-offline")).to_contain_text("Surat Keterangan Domisili")
    shot(page, "verify-offline")
    # A tampered token fails the signature check on the device.
    forged = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    page.goto(f"/v#{forged}")
    expect(page.locator("#verdict-offline")).to_have_attribute("data-result", "invalid")
    context.set_offline(False)

    # Revoked: the online check says so at once; the device's list catches up (stale-while-revalidate).
    revoked = client.post(f"/api/v1/documents/requests/{request_id}/actions", headers=auth_headers(lurah),
                          json={"action": "revoke", "note": "Data keliru"})
    assert revoked.status_code == 200
    page.goto(f"/v#{token}")
    expect(page.locator("#verdict-online")).to_have_attribute("data-result", "revoked")
    page.wait_for_function("""() => caches.open('data-v1').then(c => c.match('/api/v1/documents/revocations'))
        .then(r => r.json()).then(j => j.items.length === 1)""")
    context.set_offline(True)
    page.reload()
    expect(page.locator("#verdict-offline")).to_have_attribute("data-result", "revoked")
    context.set_offline(False)


@pytest.mark.browser
def test_letter_request_made_offline_is_queued_then_sent_once(page, context, make_resident, app, client, auth_headers):
    resident = make_resident()
    sign_in(page, resident.nik_plain, PASSWORD)
    wait_for_service_worker(page)
    _request_letter(page, "Mendaftar sekolah anak")
    page.wait_for_function("() => document.querySelectorAll('#in-service_kelurahan_code option').length > 1")
    context.set_offline(True)
    page.get_by_role("button", name="Kirim permohonan").click()
    page.locator("[data-pending]").first.wait_for()
    expect(page.locator("#pending")).to_contain_text("1 kiriman menunggu koneksi")
    shot(page, "letters-pending")
    assert client.get("/api/v1/documents/requests", headers=auth_headers(resident)).get_json()["total"] == 0

    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    expect(page.locator("#pending")).to_be_hidden()
    page.reload()
    page.locator("#letter-list a").first.wait_for()
    assert page.locator("[data-pending]").count() == 0
    # A second flush (another tab, a retry) sends nothing more.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    items = client.get("/api/v1/documents/requests", headers=auth_headers(resident)).get_json()["items"]
    assert len(items) == 1 and items[0]["purpose"] == "Mendaftar sekolah anak"
