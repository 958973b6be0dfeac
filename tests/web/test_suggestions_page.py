"""Suggested follow-ups on the asking page, in a real headless Chromium against a real
`clerk serve`: shown under the latest answer, and one click asks it as a follow-up."""

from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import expect

from tests.web.test_page import AUDITS, ask_requests, last_reply

SHOTS = Path("/tmp/ux16c")


def ask_and_wait(page, text: str) -> None:
    page.locator("#question").fill(text)
    page.locator("#question").press("Enter")
    expect(page.locator(".reply.pending")).to_have_count(0, timeout=60_000)


def test_a_suggestion_is_asked_as_a_follow_up_and_answered(page, api_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    bodies = ask_requests(page)
    page.goto(api_server.url + "/")
    ask_and_wait(page, AUDITS)
    offered = last_reply(page).get_by_role("navigation", name="Questions to ask next")
    buttons = offered.get_by_role("button")
    expect(buttons).to_have_count(3)
    first = buttons.first.text_content()
    assert first == "What did Children's Improvement Update recommend on 28 July 2020?"
    offered.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "suggestions-1280.png"))

    buttons.first.click()
    expect(page.locator("#log > .turn")).to_have_count(2)
    expect(page.locator(".reply.pending")).to_have_count(0, timeout=60_000)
    asked = bodies[-1]
    assert asked["question"] == first
    assert [t["role"] for t in asked["conversation"]] == ["user", "assistant"]
    assert asked["conversation"][0]["content"] == AUDITS
    reply = last_reply(page)
    expect(page.locator("#log > .turn").last.locator(".question-text")).to_have_text(first)
    expect(reply.locator(".answer-text")).to_contain_text("September 2020")
    expect(reply.locator(".notice-abstain")).to_have_count(0)
    # only the latest answer offers questions: the first one's are gone
    expect(page.locator(".suggestions")).to_have_count(
        1 if reply.locator(".suggestions").count() else 0)
    expect(page.locator("#log > .turn").first.locator(".suggestions")).to_have_count(0)


def test_on_a_390px_phone_the_suggestions_fit(browser, api_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(api_server.url + "/")
        ask_and_wait(page, AUDITS)
        offered = last_reply(page).locator(".suggestions")
        expect(offered.get_by_role("button")).to_have_count(3)
        offered.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "suggestions-390.png"))
        for i in range(3):
            box = offered.get_by_role("button").nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
