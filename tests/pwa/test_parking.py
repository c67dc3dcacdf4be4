import io

import pytest
from PIL import Image
from playwright.sync_api import expect
from pyzbar.pyzbar import decode
from sqlalchemy import select

from citizen_app.extensions import db
from citizen_app.parking.models import Payment
from tests.conftest import PASSWORD
from tests.pwa.conftest import shot, sign_in, sign_out

ZONE = "KPG-SOEHARTO"


def read_qr(locator) -> str:
    # The toast sits over the bottom of the screen for a few seconds; read the code once it is gone.
    locator.page.wait_for_function("() => !document.getElementById('toast').classList.contains('show')")
    found = decode(Image.open(io.BytesIO(locator.screenshot())))
    assert len(found) == 1
    return found[0].data.decode()


@pytest.mark.browser
def test_park_pay_by_qris_then_attendant_checks_and_records_cash(page, app, make_resident, make_user, client):
    resident = make_resident()
    attendant = make_user("parking_attendant", zone_code=ZONE)

    sign_in(page, resident.nik_plain, PASSWORD)
    page.goto("/#/parking")
    page.get_by_label("Zona parkir").select_option(ZONE)
    page.get_by_label("Nomor polisi").fill("DH 1234 AB")
    page.get_by_label("Jenis kendaraan").select_option("car")
    expect(page.get_by_role("status").filter(has_text="Tarif")).to_contain_text("5.000")
    shot(page, "parking-start")
    page.get_by_role("button", name="Mulai parkir").click()
    page.get_by_role("button", name="Selesai parkir").click()
    page.get_by_role("button", name="Bayar dengan QRIS").click()
    qr = page.locator("#qris canvas")
    qr.wait_for()
    shot(page, "parking-qris")
    with app.app_context():
        payment = db.session.scalars(select(Payment).where(Payment.method == "qris")).one()
        reference, payload = payment.reference, payment.qris_payload
    # The QR drawn on the phone is the provider's QRIS string, byte for byte.
    assert read_qr(qr) == payload
    assert client.post(f"/api/v1/parking/simulator/pay/{reference}").status_code == 200
    receipt = page.locator("#receipt canvas")
    receipt.wait_for(timeout=15000)
    receipt_text = read_qr(receipt)
    assert "/#/parking/receipt/" in receipt_text
    shot(page, "parking-receipt")
    sign_out(page)

    sign_in(page, attendant.username, PASSWORD)
    page.goto("/#/attendant")
    page.get_by_label("Nomor polisi").first.fill("DH 1234 AB")
    page.get_by_role("button", name="Cek", exact=True).click()
    expect(page.locator("#check-result [data-status]")).to_have_attribute("data-status", "paid")

    page.locator("#in-start-plate").fill("DH 777 ZZ")
    page.locator("#in-start-class").select_option("motorcycle")
    page.get_by_role("button", name="Mulai parkir").click()
    page.get_by_text("Kendaraan dicatat").wait_for()
    page.get_by_label("Nomor polisi").first.fill("DH 777 ZZ")
    page.get_by_role("button", name="Cek", exact=True).click()
    expect(page.locator("#check-result [data-status]")).to_have_attribute("data-status", "active")
    page.get_by_role("button", name="Terima tunai").click()
    page.get_by_text("Tunai Rp").first.wait_for()
    expect(page.locator("#takings")).to_contain_text("2.000")
    shot(page, "attendant")
    with app.app_context():
        cash = db.session.scalars(select(Payment).where(Payment.method == "cash")).all()
        assert [(p.amount, p.status, p.attendant_id) for p in cash] == [(2000, "paid", attendant.id)]
