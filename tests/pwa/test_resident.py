import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from citizen_app.extensions import db
from citizen_app.identity.models import User
from citizen_app.identity.nik import make_nik
from tests.conftest import HOME, PASSWORD
from tests.pwa.conftest import shot, sign_in, wait_for_service_worker

QUERIES = json.loads((Path(__file__).resolve().parents[1] / "permits" / "search_queries.json").read_text())["queries"]


@pytest.mark.browser
def test_sign_up_with_kelurahan_picker_then_profile_and_sign_out(page, app):
    from datetime import date

    nik = make_nik("53.71.05", date(1990, 6, 2), "female", 77)
    page.goto("/#/signup")
    page.get_by_label("NIK", exact=True).fill(nik)
    page.get_by_label("Nama lengkap").fill("Maria Ndun")
    page.get_by_label("Tanggal lahir").fill("1990-06-02")
    page.get_by_label("Jenis kelamin").select_option("female")
    page.get_by_label("Nomor HP").fill("081299887766")
    page.get_by_label("Cari kelurahan").fill("naikoten")
    page.get_by_label("Kelurahan domisili").select_option(HOME)
    page.get_by_label("Alamat").fill("Jl. Timor Raya 5")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    shot(page, "signup")
    page.get_by_role("button", name="Daftar").click()
    page.get_by_role("heading", name="Halo, Maria Ndun").wait_for()
    for service in ("Surat Keterangan", "Brigade Sehat", "Perizinan", "Parkir"):
        assert page.get_by_role("link", name=service, exact=True).is_visible()
    shot(page, "home-resident")
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.phone == "+6281299887766"))
        assert user.kelurahan_code == HOME and user.gender == "female"

    page.get_by_role("link", name="Profil").click()
    page.get_by_role("heading", name="Profil").wait_for()
    page.locator("dl.facts").wait_for()
    shot(page, "profile-top")
    assert nik[:4] in page.locator("dl.facts").inner_text()
    page.get_by_label("Pekerjaan").fill("Guru")
    page.get_by_role("button", name="Simpan").click()
    page.get_by_text("Tersimpan").first.wait_for()
    shot(page, "profile")
    with app.app_context():
        assert db.session.get(User, user.id).occupation == "Guru"

    page.get_by_role("button", name="Keluar").click()
    page.get_by_role("heading", name="Selamat datang").wait_for()
    assert page.evaluate("localStorage.getItem('session')") is None
    assert page.evaluate("caches.keys().then(k => k.filter(n => n.startsWith('api-u')))") == []


@pytest.mark.browser
def test_sign_up_errors_are_shown_next_to_the_field(page):
    page.goto("/#/signup")
    page.get_by_label("NIK", exact=True).fill("123")
    page.get_by_role("button", name="Daftar").click()
    nik = page.get_by_label("NIK", exact=True)
    page.wait_for_function("() => document.querySelector('[name=nik]').getAttribute('aria-invalid') === 'true'")
    assert page.locator("#in-nik-err").inner_text().strip() != ""
    assert nik.evaluate("el => el === document.activeElement")


@pytest.mark.browser
def test_wrong_password_then_sign_in_and_token_refresh(page, make_resident):
    resident = make_resident(full_name="Yohanes Lado")
    page.goto("/#/login")
    page.get_by_label("NIK, nomor HP atau nama pengguna").fill(resident.nik_plain)
    page.get_by_label("Kata sandi").fill("salah-sekali")
    page.get_by_role("button", name="Masuk").click()
    page.get_by_role("alert").filter(has_text="").first.wait_for()
    assert page.evaluate("localStorage.getItem('session')") is None
    sign_in(page, resident.nik_plain, PASSWORD)
    page.get_by_role("heading", name="Halo, Yohanes Lado").wait_for()
    # An expired access token is refreshed with the refresh token, transparently.
    page.evaluate("""() => { const s = JSON.parse(localStorage.getItem('session'));
        s.access_token = 'expired.' + s.access_token.split('.')[1] + '.x';
        localStorage.setItem('session', JSON.stringify(s)); }""")
    page.reload()
    page.get_by_role("link", name="Profil").click()
    page.get_by_role("heading", name="Profil").wait_for()
    page.get_by_text("Yohanes Lado").first.wait_for()
    assert not page.evaluate("JSON.parse(localStorage.getItem('session')).access_token.startsWith('expired.')")


@pytest.mark.browser
def test_permit_search_ranks_like_the_server(page, client):
    page.goto("/#/permits")
    page.locator("#permit-results li").first.wait_for()
    ranked = page.evaluate("""async (queries) => {
        const { catalogue } = await import('/js/screens/permits.js');
        const cat = await catalogue();
        return queries.map((q) => cat.index.search(q).slice(0, 5).map((h) => [h.doc.slug, h.score]));
    }""", [q["q"] for q in QUERIES])
    for query, mine in zip(QUERIES, ranked, strict=True):
        server = client.get("/api/v1/permits", query_string={"q": query["q"], "per_page": 5}).get_json()["items"]
        assert mine == [[i["slug"], i["score"]] for i in server], query["q"]


@pytest.mark.browser
def test_permits_search_and_detail_work_offline(page, context):
    page.goto("/#/permits")
    wait_for_service_worker(page)
    page.wait_for_function("() => caches.open('data-v1').then(c => c.match('/api/v1/permits/catalog')).then(Boolean)")
    context.set_offline(True)
    page.reload()
    page.get_by_label("Cari izin").fill("imb")
    first = page.locator("#permit-results li a").first
    expect(first).to_contain_text("Persetujuan Bangunan Gedung")
    shot(page, "permits-offline")
    first.click()
    page.get_by_role("heading", name="Persyaratan").wait_for()
    shot(page, "permit-detail")
    context.set_offline(False)
