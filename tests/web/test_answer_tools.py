"""What the asking page offers on each answer, in a real headless Chromium against a real
`clerk serve`: 👍/👎 stored with Slack's votes, copy, a link to the answer, and a preview of the
quoted words on a [n] marker's hover or keyboard focus."""

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import expect

from assistant.feedback import read_votes
from tests.web.test_page import AUDITS, ask, ask_requests, last_reply

SHOTS = Path("/tmp/ux16")
QUOTE = "There have been 1088 audits completed within the audit programme to date."


def test_a_vote_on_an_answer_is_stored_with_its_source_and_the_button_says_so(
        page, api_server, sample_store):
    bodies = ask_requests(page)
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    assert bodies[0]["keep"] is True  # the page asks the server to keep the answer
    reply = last_reply(page)
    down = reply.get_by_role("button", name="Not helpful")
    up = reply.get_by_role("button", name="Helpful", exact=True)
    expect(down).to_have_attribute("aria-pressed", "false")
    down.click()
    expect(reply.locator(".tool-status")).to_have_text(
        "Thanks: your vote (not helpful) is recorded for review. What was wrong? Tell us below, "
        "if you have a moment.")
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")

    answer_id = re.search(r"answer=(\w+)", reply.get_by_role(
        "link", name="Link to this answer").get_attribute("href")).group(1)
    votes = [v for v in read_votes(sample_store) if v["answer_id"] == answer_id]
    assert [(v["vote"], v["source"], v["question"]) for v in votes] == [("down", "web", AUDITS)]
    assert "1088" in votes[0]["answer"]

    page.reload()  # the vote is remembered with the conversation
    expect(last_reply(page).get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true")


def test_a_refused_vote_shows_the_servers_reason(page, api_server):
    page.route("**/feedback", lambda route: route.fulfill(
        status=404, content_type="application/json",
        body=json.dumps({"detail": "no answer 'abc' is kept on this server"})))
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    last_reply(page).get_by_role("button", name="Helpful", exact=True).click()
    expect(last_reply(page).locator(".tool-status")).to_have_text(
        "Your vote wasn't recorded: no answer 'abc' is kept on this server")


def test_copy_puts_the_answer_and_its_sources_on_the_clipboard(page, api_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                   origin=api_server.url)
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    last_reply(page).get_by_role("button", name="Copy answer").click()
    expect(last_reply(page).locator(".tool-status")).to_have_text("Copied, with its sources.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f"Q: {AUDITS}\n\n")
    assert "1088" in copied and f"“{QUOTE}”" in copied
    # [1, 2] when the answer quotes paragraph 19 twice: the paragraph is listed once
    assert re.search(r"\[1(, \d+)*\] Children's Improvement Update, paragraph 19, meeting "
                     r"28 July 2020", copied)
    assert re.search(r"http://127\.0\.0\.1:\d+/papers/[^\s]+#p-19", copied)


def test_hovering_or_focusing_a_marker_previews_its_quote(page, api_server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    reply = last_reply(page)
    marker = reply.locator(".answer-text a.cite-ref", has_text="[1]")
    preview = page.locator(f"#{marker.get_attribute('aria-describedby')}")
    expect(preview).to_have_attribute("role", "tooltip")
    expect(preview).to_be_hidden()

    marker.hover()
    expect(preview).to_be_visible()
    expect(preview).to_contain_text(QUOTE)
    expect(preview).to_contain_text("Children's Improvement Update, paragraph 19")
    expect(preview).to_be_in_viewport()
    reply.get_by_role("button", name="Helpful", exact=True).hover()  # away: it goes
    expect(preview).to_be_hidden()

    marker.focus()  # the keyboard gets it too, and Escape puts it away
    expect(preview).to_be_visible()
    page.locator("h1").scroll_into_view_if_needed()
    marker.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "answer-focus-preview.png"))
    page.keyboard.press("Escape")
    expect(preview).to_be_hidden()
    expect(marker).to_be_focused()

    reply.get_by_role("button", name="Helpful", exact=True).click()
    marker.hover()
    expect(preview).to_be_visible()
    page.screenshot(path=str(SHOTS / "answer-votes-hover-preview.png"), full_page=True)


def test_on_a_390px_phone_the_preview_stays_on_screen(browser, api_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(api_server.url + "/")
        ask(page, AUDITS)
        markers = last_reply(page).locator(".answer-text a.cite-ref")
        marker = markers.last
        marker.focus()
        preview = page.locator(f"#{marker.get_attribute('aria-describedby')}")
        expect(preview).to_be_visible()
        box = preview.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "answer-390px-preview.png"))
        tools = last_reply(page).locator(".reply-tools")
        tools.scroll_into_view_if_needed()
        for control in tools.locator("button, a").all():  # all on screen, none cut off
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        page.screenshot(path=str(SHOTS / "answer-390px-tools.png"))
    finally:
        context.close()


def test_a_link_to_an_answer_shows_it_as_given_in_a_new_tab(page, api_server, browser):
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    href = last_reply(page).get_by_role("link", name="Link to this answer").get_attribute("href")
    assert re.fullmatch(r"\?answer=[0-9a-f]{16}", href)

    other = browser.new_context(locale="en-GB").new_page()  # a colleague's browser
    try:
        requests: list[str] = []
        other.on("request", lambda r: requests.append(r.url))
        other.goto(f"{api_server.url}/{href}")
        turn = other.locator("#log > .turn")
        expect(turn).to_have_count(1)
        expect(turn.locator(".question-text")).to_have_text(AUDITS)
        expect(turn).to_contain_text("A linked answer, as Clerk gave it on")
        expect(turn.locator(".answer-text")).to_contain_text("1088")
        expect(turn.locator(".citation").first).to_contain_text("Paragraph 19")
        expect(other).to_have_url(api_server.url + "/")  # the address is the page's again
        assert not any(u.endswith("/ask/stream") for u in requests)  # shown, not asked again
        other.reload()  # and not added twice
        expect(other.locator("#log > .turn")).to_have_count(1)
    finally:
        other.context.close()


def test_a_link_to_an_unknown_answer_says_so_in_one_line(page, api_server):
    page.goto(api_server.url + "/?answer=0123456789abcdef")
    expect(page.locator("#status")).to_have_text(
        "The linked answer could not be shown: no answer '0123456789abcdef' is kept on this "
        "server")
    expect(page.locator("#log > .turn")).to_have_count(0)


def test_the_page_reads_the_answer_from_the_stream_showing_its_text_as_it_comes(page, api_server):
    """The page asks /ask/stream: the `delta` text is shown in the pending reply before the
    final answer (with its links and sources) replaces it."""
    page.goto(api_server.url + "/")
    page.evaluate("""() => {
      window.streamed = [];
      new MutationObserver((records) => {
        for (const r of records) for (const n of r.addedNodes) {
          const box = n.nodeType === 3 ? n.parentElement : n;
          if (box && box.classList && box.classList.contains("has-text")) {
            window.streamed.push(box.textContent);
          }
        }
      }).observe(document.getElementById("log"), { childList: true, subtree: true });
    }""")
    ask(page, AUDITS)
    streamed = page.evaluate("window.streamed")
    assert streamed and "1088" in streamed[0] and "[1]" in streamed[0], streamed
    expect(last_reply(page).locator(".waiting")).to_have_count(0)  # replaced by the answer
    expect(last_reply(page).locator(".answer-text a.cite-ref").first).to_have_text("[1]")
