"""A Not helpful vote on the asking page asks what was wrong, as Slack's 👎 does: the choice and
the voter's words are stored with the vote and exported by `clerk feedback export`. In a real
headless Chromium against a real `clerk serve`."""

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import expect

from assistant.feedback import export_feedback, read_votes
from assistant.models import WHAT_WAS_WRONG
from tests.web.test_page import AUDITS, ask, last_reply

SHOTS = Path("/tmp/ux16c")
WORDS = "The 2021 update gives a later figure."


def answer_id_of(reply) -> str:
    href = reply.get_by_role("link", name="Link to this answer").get_attribute("href")
    return re.search(r"answer=(\w+)", href).group(1)


def test_not_helpful_asks_what_was_wrong_and_the_export_shows_it(page, api_server,
                                                                   sample_store, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    reply = last_reply(page)
    form = reply.locator("form.reason-form")
    expect(form).to_have_count(0)  # nothing is asked before a vote
    reply.get_by_role("button", name="Not helpful").click()
    expect(form).to_be_visible()
    expect(reply.locator(".tool-status")).to_contain_text("What was wrong? Tell us below")
    # the page's choices are the server's, in the server's words
    radios = form.get_by_role("radio")
    values = [radios.nth(i).get_attribute("value") for i in range(radios.count())]
    assert set(values) <= set(WHAT_WAS_WRONG) and "wrong_source" in values
    for value in values:
        expect(form.get_by_role("radio", name=WHAT_WAS_WRONG[value], exact=True)).to_have_value(
            value)
    form.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "reason-form-1280.png"))

    form.get_by_role("button", name="Send").click()  # nothing chosen: say what is needed
    expect(form.locator(".reason-status")).to_have_text(
        "Choose what was wrong, or say it in your own words.")
    form.get_by_role("radio", name=WHAT_WAS_WRONG["wrong_source"]).check()
    form.get_by_label("In your words (optional)").fill(WORDS)
    form.get_by_role("button", name="Send").click()
    expect(form).to_have_count(0)
    expect(reply.locator(".tool-status")).to_have_text(
        "Thanks: what was wrong is recorded with your vote.")

    answer_id = answer_id_of(reply)
    votes = [v for v in read_votes(sample_store) if v["answer_id"] == answer_id]
    assert [v["vote"] for v in votes] == ["down", "down"]
    assert votes[-1]["reason"] == {"what": "wrong_source", "detail": WORDS}
    assert votes[-1]["source"] == "web"
    out = tmp_path / "review.jsonl"
    export_feedback(sample_store, out)
    [case] = [c for c in map(json.loads, out.read_text().splitlines())
              if c["id"] == f"fb-{answer_id}-unknown"]
    assert f"what was wrong: wrong_source: {WORDS};" in case["notes"]

    page.reload()  # sent: not asked again
    expect(last_reply(page).locator("form.reason-form")).to_have_count(0)
    expect(last_reply(page).get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true")


def test_skip_puts_the_form_away_and_helpful_takes_it_back(page, api_server, sample_store):
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    reply = last_reply(page)
    form = reply.locator("form.reason-form")
    reply.get_by_role("button", name="Not helpful").click()
    expect(form).to_be_visible()
    reply.get_by_role("button", name="Helpful", exact=True).click()
    expect(form).to_have_count(0)
    reply.get_by_role("button", name="Not helpful").click()
    expect(form).to_be_visible()
    form.get_by_role("button", name="Skip").click()
    expect(form).to_have_count(0)
    page.reload()
    expect(last_reply(page).locator("form.reason-form")).to_have_count(0)
    votes = [v for v in read_votes(sample_store) if v["answer_id"] == answer_id_of(reply)]
    assert [v["vote"] for v in votes] == ["down", "up", "down"]
    assert not any("reason" in v for v in votes)


def test_on_a_390px_phone_the_form_fits(browser, api_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(api_server.url + "/")
        ask(page, AUDITS)
        reply = last_reply(page)
        reply.get_by_role("button", name="Not helpful").click()
        form = reply.locator("form.reason-form")
        expect(form).to_be_visible()
        form.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "reason-form-390.png"))
        box = form.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
