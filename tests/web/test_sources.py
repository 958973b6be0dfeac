"""Each fact shown once: an answer quoting two sentences of one paragraph shows one source card
for that paragraph, listing both quotes, and both [n] markers lead to it (a real headless
Chromium against a real `clerk serve`; the answer is a fixed one, so that the page, not the
answerer, is what is tested)."""

import json
import re
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import expect

from tests.web.test_page import REPORT, ask, last_reply

SHOTS = Path("/tmp/ux16")
FIRST = "There have been 1088 audits completed within the audit programme to date."
SECOND = ("The most recent highlight report is attached here (see ANNEX 1 - Audit Highlight "
          "Report Nov'18 to Feb'20 FINAL).")
THIRD_PARA = "20"


def cited(ref: int, paragraph: str, words: str) -> dict:
    return {"ref": ref, "doc_id": REPORT, "title": "Children's Improvement Update",
            "doc_type": "report", "council": "Surrey County Council",
            "committee": "Children, Families, Lifelong Learning and Culture Select Committee",
            "meeting_date": "2020-07-28", "paragraph": paragraph, "quote": words, "url": None,
            "view_url": f"/papers/{REPORT}/view?paragraph={paragraph}&quote={quote(words)}"
                        f"#p-{paragraph}"}


ANSWER = {"answer": f"{FIRST} [1]\n{SECOND} [2]", "abstained": False, "reason": "answered",
          "confidence": 0.9, "mode": "extractive", "suggestions": [],
          "citations": [cited(1, "19", FIRST), cited(2, "19", SECOND)]}


def serve(page, answer: dict) -> None:
    events = (f"event: answer\ndata: {json.dumps(answer)}\n\nevent: done\ndata: {{}}\n\n")
    page.route("**/ask/stream", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body=events))


def test_two_quotes_from_one_paragraph_are_one_card_and_both_markers_lead_to_it(page,
                                                                                api_server):
    serve(page, ANSWER)
    page.goto(api_server.url + "/")
    ask(page, "How many case audits had Surrey completed by July 2020?")
    reply = last_reply(page)
    cards = reply.locator(".citations .citation")
    expect(cards).to_have_count(1)
    card = cards.first
    expect(card.locator(".cite-num")).to_have_text("[1, 2]")
    expect(card.locator(".cite-para")).to_have_text("Paragraph 19")
    expect(card.locator("blockquote")).to_have_text([FIRST, SECOND])
    expect(card.locator(".quote-ref")).to_have_text(["[1]", "[2]"])
    card_id = card.get_attribute("id")

    for n, words in ((1, FIRST), (2, SECOND)):
        marker = reply.locator(".answer-text a.cite-ref", has_text=f"[{n}]")
        expect(marker).to_have_attribute("data-source", card_id)
        preview = page.locator(f"#{marker.get_attribute('aria-describedby')}")
        marker.hover()
        expect(preview).to_be_visible()
        expect(preview).to_contain_text(words)
        expect(card).to_have_class(re.compile(r"\bis-target\b"))  # its card is pointed out
        page.locator("h1").hover()
        expect(preview).to_be_hidden()
        expect(card).not_to_have_class(re.compile(r"\bis-target\b"))
        # the marker opens the paragraph with its own quote marked
        with page.context.expect_page() as opened:
            marker.click()
        view = opened.value
        view.wait_for_url(re.compile(r"#p-19$"))
        expect(view.locator("#p-19 mark")).to_have_text(words)
        view.close()

    with page.context.expect_page() as opened:  # the card's [2] opens the second quote too
        card.locator(".quote-ref", has_text="[2]").click()
    view = opened.value
    view.wait_for_url(re.compile(r"#p-19$"))
    expect(view.locator("#p-19 mark")).to_have_text(SECOND)


def test_read_in_context_on_a_two_quote_card_marks_both_quotes(page, api_server):
    serve(page, ANSWER)
    page.goto(api_server.url + "/")
    ask(page, "How many case audits had Surrey completed by July 2020?")
    card = last_reply(page).locator(".citations .citation").first
    with page.context.expect_page() as opened:
        card.get_by_role("link", name=re.compile(r"^Read in context")).click()
    view = opened.value
    view.wait_for_url(re.compile(r"#p-19$"))
    assert view.url.count("quote=") == 2
    expect(view.locator("#p-19 mark")).to_have_text([FIRST, SECOND])
    expect(view.locator("mark")).to_have_count(2)  # only the cited paragraph is marked
    expect(view.locator("#p-19")).to_be_in_viewport()


def test_copy_lists_the_paragraph_once_with_both_quotes(page, api_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=api_server.url)
    serve(page, ANSWER)
    page.goto(api_server.url + "/")
    ask(page, "Audits?")
    last_reply(page).get_by_role("button", name="Copy answer").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.count("paragraph 19") == 1
    assert ("[1, 2] Children's Improvement Update, paragraph 19, meeting 28 July 2020\n"
            f"[1] “{FIRST}”\n[2] “{SECOND}”\n") in copied
    link = next(line for line in copied.splitlines() if "/papers/" in line)
    assert link.count("quote=") == 2  # the link opens the paragraph with both quotes marked


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_a_paragraph_quoted_twice(browser, api_server, width):
    """For a person to look at (under /tmp/ux16): nothing runs off the page at either width."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    try:
        page = context.new_page()
        serve(page, {**ANSWER, "suggestions": [
            "What did the committee recommend on 28 July 2020?",
            "What does the 28 July 2020 report say about Ofsted?"]})
        page.goto(api_server.url + "/")
        ask(page, "How many case audits had Surrey completed by July 2020?")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        SHOTS.mkdir(parents=True, exist_ok=True)
        card = last_reply(page).locator(".citation").first
        card.scroll_into_view_if_needed()
        last_reply(page).locator(".answer-text a.cite-ref").last.hover()
        page.screenshot(path=str(SHOTS / f"two-quotes-{width}.png"), full_page=True)
    finally:
        context.close()
