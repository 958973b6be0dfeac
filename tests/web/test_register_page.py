"""The register page at /register, driven in a real headless Chromium against a real
`clerk serve` over the sample corpus: the table, its filters kept in the address, the paragraph
links, a 390 px phone, and a malformed filter refused in one line."""

import re
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.register.corpus_records import BOARD_2016, REPORT, WEST_SUSSEX

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import Page, expect

SHOTS = Path("/tmp/register-page")
CFLLC = "Children, Families, Lifelong Learning and Culture Select Committee"


def rows(page: Page):
    return page.locator("#rows > tr")


def open_register(page: Page, url: str, count: int) -> None:
    page.goto(url)
    expect(rows(page)).to_have_count(count)


def test_the_register_lists_every_record_with_its_meeting_due_date_and_status(
        page, api_server):
    open_register(page, api_server.url + "/register", 13)
    expect(page.locator("#register-caption")).to_have_text("13 records")
    report_49 = page.locator(f'tr[data-id="{REPORT}::49::1"]')
    expect(report_49).to_contain_text("recommendation")
    expect(report_49).to_contain_text("The Select Committee receives a further report")
    expect(report_49).to_contain_text(CFLLC)
    expect(report_49).to_contain_text("28 July 2020")
    expect(report_49.get_by_role("link", name="Paragraph 49")).to_have_attribute(
        "href", re.compile(rf"/papers/{REPORT}/view\?paragraph=49&quote=[^#]+#p-49$"))
    board = page.locator(f'tr[data-id="{BOARD_2016}::Recommendations::1"]')
    expect(board).to_contain_text("“the Board’s October meeting”")  # unparseable: as printed
    expect(board).to_contain_text("date not printed")
    # the header links back to the asking page, and the asking page links here
    page.get_by_role("link", name="Ask the papers").click()
    expect(page).to_have_url(api_server.url + "/")
    page.get_by_role("navigation").get_by_role("link", name="Register").click()
    expect(page).to_have_url(api_server.url + "/register")
    expect(rows(page)).to_have_count(13)
    SHOTS.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    box = page.locator("#register-table")
    assert box.evaluate("b => b.scrollWidth <= b.clientWidth")  # on a desktop the table fits
    page.screenshot(path=str(SHOTS / "register-desktop.png"), full_page=True)


def test_filtering_by_committee_and_owner_narrows_the_rows_and_the_address_keeps_it(
        page, api_server, browser):
    open_register(page, api_server.url + "/register", 13)
    expect(page.locator("#committee option", has_text="Scrutiny Board")).to_have_count(1)
    page.get_by_label("Committee").select_option("Scrutiny Board")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/register\?committee=Scrutiny\+Board$"))
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#register-caption")).to_have_text("2 records matching the filters")
    expect(page.get_by_label("Committee")).to_have_value("Scrutiny Board")

    page.get_by_role("link", name="Clear filters").click()
    expect(rows(page)).to_have_count(13)
    page.get_by_label("Owner").fill("Sally")
    page.get_by_label("Owner").press("Enter")
    expect(page).to_have_url(re.compile(r"/register\?owner=Sally$"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Sally Allen to provide relevant data")

    # the filtered address, opened afresh (shared), shows the same rows and fills the form
    other = browser.new_context(locale="en-GB").new_page()
    try:
        open_register(other, f"{api_server.url}/register?committee={CFLLC}&date_from=2020-01-01",
                      2)
        expect(other.get_by_label("Committee")).to_have_value(CFLLC)
        expect(other.get_by_label("Meetings from")).to_have_value("2020-01-01")
    finally:
        other.context.close()


def test_a_rows_paragraph_link_opens_the_paragraph_view(page, api_server):
    open_register(page, api_server.url + "/register?owner=Lucy", 1)
    page.get_by_role("link", name="Paragraph 12.3").click()
    page.wait_for_url(re.compile(rf"/papers/{WEST_SUSSEX}/view\?paragraph=12\.3&quote=[^#]+"
                                 r"#p-12-3$"))
    cited = page.locator("#p-12-3")
    expect(cited).to_have_class(re.compile(r"\bcited\b"))
    expect(cited).to_contain_text("agency workers")


def test_on_a_390px_phone_the_page_does_not_scroll_sideways(browser, api_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    try:
        page = context.new_page()
        open_register(page, api_server.url + "/register", 13)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        box = page.locator("#register-table")
        assert box.evaluate("b => b.scrollWidth > b.clientWidth")  # the table scrolls in its box
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "register-390px.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/register", "/register/rows"])
def test_a_malformed_date_filter_is_refused_in_one_line(api_server, path):
    r = httpx.get(api_server.url + path, params={"date_from": "28/07/2020"}, timeout=60,
                  headers={"Accept": "text/html"})
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert "date_from" in detail and "\n" not in detail, detail


def test_with_an_api_key_the_rows_need_it_and_their_links_are_signed(sample_store, service):
    from assistant.api import create_app

    app = create_app(sample_store.model_copy(update={"api_key": "s3cret"}), service=service)
    with TestClient(app) as client:
        assert client.get("/register").status_code == 200  # the page holds no papers' text
        assert client.get("/register/rows").status_code == 401
        r = client.get("/register/rows", params={"owner": "Sally"},
                       headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200, r.text
        row, = r.json()["rows"]
        assert re.search(r"&exp=\d+&sig=[0-9a-f]+#p-12-3$", row["view_url"]), row["view_url"]
        assert client.get(row["view_url"]).status_code == 200  # opens without the key
