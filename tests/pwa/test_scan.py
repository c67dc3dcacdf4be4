import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.pwa.conftest import shot, sign_in, signed_letter


@pytest.mark.browser
def test_a_photo_of_the_letter_qr_is_read_without_barcode_detector(page, make_resident, make_user, client,
                                                                    auth_headers):
    resident = make_resident()
    detail = signed_letter(client, auth_headers, resident, make_user("clerk"), make_user("lurah"))
    png = client.get(f"/api/v1/documents/requests/{detail['id']}/qr.png", headers=auth_headers(resident)).data
    page.goto("/#/scan")
    assert page.evaluate("() => 'BarcodeDetector' in window") is False  # Linux Chromium: our own reader is used
    shot(page, "scan")
    page.get_by_label("Atau ambil/pilih foto QR").set_input_files(
        files=[{"name": "surat.png", "mimeType": "image/png", "buffer": png}])
    page.wait_for_url("**/v#*")
    assert page.url.endswith(detail["letter"]["qr_text"].split("#", 1)[1])
    expect(page.locator("#verdict-offline")).to_have_attribute("data-result", "valid")


@pytest.mark.browser
def test_parking_zone_chosen_from_a_photo_of_its_sign(page, make_resident, client):
    resident = make_resident()
    sign = client.get("/api/v1/parking/zones/KPG-SOEHARTO/qr.png").data
    sign_in(page, resident.nik_plain, PASSWORD)
    page.goto("/#/parking")
    page.get_by_text("Pindai QR papan zona").click()
    page.get_by_label("Atau ambil/pilih foto QR").set_input_files(
        files=[{"name": "papan.png", "mimeType": "image/png", "buffer": sign}])
    expect(page.get_by_label("Zona parkir")).to_have_value("KPG-SOEHARTO")


@pytest.mark.browser
def test_the_reader_decodes_codes_drawn_by_the_app_at_every_size(page):
    page.goto("/#/scan")
    page.get_by_role("heading", name="Pindai QR Surat").wait_for()
    texts = ["A", "https://warga.example.id/v#" + "0oRDoQEmoQRIq83v" * 14, "0123456789" * 3,
             "00020101021226570011ID.CO.QRIS.WWW01189360091100000000000215ID10200000000010303UMI51440014ID.CO.QRIS"]
    results = page.evaluate("""async (texts) => {
        const { canvas } = await import('/js/qr.js');
        const { decodeSource } = await import('/js/qr-decode.js');
        return texts.map((t) => decodeSource(canvas(t, 'qr', 4)));
    }""", texts)
    assert results == texts
