import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.pwa.conftest import shot, sign_in, wait_for_service_worker


@pytest.mark.browser
def test_the_shell_reloads_offline_and_shows_cached_data_only_to_its_user(page, context, make_resident):
    resident = make_resident(full_name="Agustina Tefa")
    sign_in(page, resident.nik_plain, PASSWORD)
    wait_for_service_worker(page)
    page.goto("/#/profile")
    page.get_by_text("Agustina Tefa").first.wait_for()
    page.wait_for_function(
        "() => caches.keys().then(k => k.includes('api-u' + JSON.parse(localStorage.session).user.id))")

    context.set_offline(True)
    page.reload()
    page.get_by_role("heading", name="Profil").wait_for()
    expect(page.locator("#offline")).to_be_visible()
    page.get_by_text("Agustina Tefa").first.wait_for()
    page.goto("/#/permits")
    page.get_by_label("Cari izin").wait_for()
    shot(page, "offline-shell")
    page.goto("/#/")
    page.get_by_role("heading", name="Halo, Agustina Tefa").wait_for()

    # Signing out (even offline) drops this user's cached API answers from the device.
    page.goto("/#/profile")
    page.get_by_role("button", name="Keluar").click()
    page.get_by_role("heading", name="Selamat datang").wait_for()
    assert page.evaluate("() => caches.keys().then(k => k.filter(n => n.startsWith('api-u')))") == []
    context.set_offline(False)
