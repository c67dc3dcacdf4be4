from pathlib import Path

import pytest

from tests.pwa.conftest import shot

PWA = Path(__file__).resolve().parents[2] / "pwa"


@pytest.mark.browser
def test_home_in_indonesian_then_english(page):
    page.goto("/")
    page.get_by_role("heading", name="Selamat datang").wait_for()
    assert page.evaluate("document.documentElement.lang") == "id"
    shot(page, "home-guest")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Welcome").wait_for()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()
    page.get_by_role("heading", name="Welcome").wait_for()
