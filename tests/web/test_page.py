"""The asking page at /, driven in a real headless Chromium against a real `clerk serve` over
the sample corpus."""

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, free_port

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import Page, Route, expect

REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
AUDITS = "How many case audits had Surrey completed by July 2020?"
STATIC = ROOT / "assistant" / "web" / "static"


def ask(page: Page, question: str) -> None:
    """Type a question, press Enter, and wait for Clerk's reply to replace 'Reading the papers'."""
    turns = page.locator("#log > .turn").count()
    page.locator("#question").fill(question)
    page.locator("#question").press("Enter")
    expect(page.locator("#log > .turn")).to_have_count(turns + 1)
    expect(page.locator(".reply.pending")).to_have_count(0, timeout=60_000)  # a cold model


def last_reply(page: Page):
    return page.locator("#log > .turn").last.locator(".reply")


def ask_requests(page: Page) -> list[dict]:
    """The JSON bodies of every question the page sends (POST /ask/stream), as it sends them."""
    bodies: list[dict] = []
    page.on("request", lambda r: bodies.append(r.post_data_json)
            if r.method == "POST" and r.url.endswith("/ask/stream") else None)
    return bodies


def test_question_shows_the_answer_and_its_citation_which_opens_the_highlighted_paragraph(
        page, api_server, artifacts, tmp_path):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(api_server.url + "/")
    expect(page).to_have_title(re.compile("Clerk"))
    ask(page, AUDITS)

    reply = last_reply(page)
    expect(reply.locator(".answer-text")).to_contain_text("1088")
    marker = reply.locator(".answer-text a.cite-ref", has_text="[1]")
    expect(marker).to_have_attribute("href", re.compile(
        rf"/papers/{REPORT}/view\?paragraph=19&quote=There%20have%20been%201088[^#]*#p-19$"))
    expect(marker).to_have_attribute("target", "_blank")  # beside the conversation
    citation = reply.locator(".citations .citation").first
    expect(citation).to_contain_text("Children's Improvement Update")
    expect(citation).to_contain_text("Children, Families, Lifelong Learning and Culture")
    expect(citation).to_contain_text("28 July 2020")
    expect(citation).to_contain_text("Paragraph 19")
    expect(citation.locator("blockquote").first).to_have_text(
        "There have been 1088 audits completed within the audit programme to date.")
    expect(citation.get_by_role("link", name=re.compile("^Read in context"))).to_have_attribute(
        "href", re.compile(r"paragraph=19&quote=[^#]+#p-19$"))
    # the file-path `url` of a sample paper is not offered as a link
    expect(citation.get_by_role("link", name=re.compile("Source paper"))).to_have_count(0)
    # everything the page loaded came from Clerk's own server
    assert requested and all(u.startswith(api_server.url) for u in requested), requested

    page.screenshot(path=str(tmp_path / "web-answer.png"), full_page=True)
    page.screenshot(path=str(artifacts / "web-answer.png"), full_page=True)
    (ROOT / "reports").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "reports" / "web-answer.png"), full_page=True)

    with page.context.expect_page() as opened:
        marker.click()
    view = opened.value
    view.wait_for_url(re.compile(rf"/papers/{REPORT}/view\?paragraph=19&quote=[^#]+#p-19$"))
    cited = view.locator("#p-19")
    expect(cited).to_have_class(re.compile(r"\bcited\b"))
    expect(cited).to_have_attribute("aria-current", "true")
    expect(cited).to_contain_text("1088 audits completed")
    expect(cited.locator("mark")).to_have_text(
        "There have been 1088 audits completed within the audit programme to date.")
    expect(cited).to_be_in_viewport()
    expect(view.locator(".para.cited")).to_have_count(1)
    view.screenshot(path=str(artifacts / "web-paper-view.png"))


def test_conversation_is_still_there_after_reading_a_citation(page, api_server):
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    with page.context.expect_page() as opened:
        last_reply(page).locator("a.cite-ref").first.click()
    view = opened.value
    view.wait_for_url(re.compile(r"#p-19$"))
    expect(view.get_by_role("link", name=re.compile("Ask Clerk"))).to_have_attribute("href", "/")
    # the citation opened beside the conversation, which is still there, untouched
    expect(page).to_have_url(api_server.url + "/")
    expect(page.locator("#log > .turn")).to_have_count(1)
    expect(last_reply(page)).to_contain_text("1088")


def test_follow_up_sends_the_earlier_turns_as_the_conversation(page, api_server):
    bodies = ask_requests(page)
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    ask(page, "And which thematic audits have been completed?")

    assert len(bodies) == 2
    assert bodies[0]["conversation"] == []
    first_answer = page.locator("#log > .turn").first.locator(".answer-text")
    conversation = bodies[1]["conversation"]
    assert conversation[0] == {"role": "user", "content": AUDITS}
    assert conversation[1]["role"] == "assistant" and "1088" in conversation[1]["content"]
    assert conversation[1]["citations"][0]["paragraph"] == "19"  # searched again on follow-up
    assert len(conversation) == 2
    expect(first_answer).to_contain_text("1088")
    expect(last_reply(page)).to_contain_text("Private Fostering")
    expect(page.locator("#log > .turn")).to_have_count(2)


def test_new_conversation_forgets_earlier_turns(page, api_server):
    bodies = ask_requests(page)
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    page.get_by_role("button", name="New conversation").click()
    expect(page.locator("#log > .turn")).to_have_count(0)
    expect(page.locator("#question")).to_be_focused()
    ask(page, "Which thematic audits are underway?")
    assert bodies[-1]["conversation"] == []
    expect(last_reply(page).locator(".answer-text li")).to_contain_text(
        ["Placement Stability", "YOS & Early Help", "Supervision", "FGC & Family Network Meeting"])


def test_question_the_papers_do_not_answer_says_so_plainly(page, api_server):
    page.goto(api_server.url + "/")
    ask(page, "What is the annual budget of Surrey's children's services?")
    notice = last_reply(page).locator(".notice-abstain")
    expect(notice).to_contain_text("The papers don't say.")
    expect(last_reply(page).locator(".citation")).to_have_count(0)
    # the closest passages are offered, linked, and never presented as an answer
    expect(notice).to_contain_text("The closest passages were:")
    closest = notice.locator("li.closest")
    expect(closest.first.locator("a")).to_have_attribute("href", re.compile(r"/view\?paragraph="))
    assert 1 <= closest.count() <= 3


def test_a_server_with_nothing_indexed_says_so_and_what_to_do(page, tmp_path):
    from assistant.settings import Settings
    from tests.conftest import RunningServer, server_env

    server = RunningServer(server_env(Settings(_env_file=None, data_dir=tmp_path / "empty")))
    try:
        page.goto(server.url + "/")
        ask(page, "How many case audits were completed?")
        notice = last_reply(page).locator(".notice-abstain")
        expect(notice).to_contain_text("Nothing is indexed yet.")
        expect(notice).to_contain_text("ingest the committee papers")
        expect(last_reply(page).locator(".citation")).to_have_count(0)
    finally:
        server.stop()


def test_what_clerk_has_read_is_on_the_page(page, api_server):
    page.goto(api_server.url + "/")
    panel = page.locator("#scope")
    panel.locator("summary").click()
    expect(panel).to_contain_text("5 papers from 2 councils, meetings from")
    expect(panel.locator(".scope-list li")).to_have_count(2)
    expect(panel).to_contain_text("Children, Families, Lifelong Learning and Culture Select "
                                  "Committee (2 papers)")


def test_a_filter_that_leaves_no_paper_says_so_and_how_many_are_indexed(page, api_server):
    page.goto(api_server.url + "/")
    page.get_by_label("Meetings from").fill("2031-01-01")
    ask(page, "How many case audits were completed?")
    notice = last_reply(page).locator(".notice-abstain")
    expect(notice).to_contain_text("No paper matches the filters.")
    expect(notice).to_contain_text("No paper matches date from '2031-01-01' (5 papers from 2 "
                                   "councils are indexed).")


def test_filters_come_from_the_papers_and_go_with_the_question(page, api_server):
    bodies = ask_requests(page)
    page.goto(api_server.url + "/")
    committee = page.get_by_label("Committee")
    expect(committee.locator("option")).to_contain_text([
        "Any committee",
        "Children and Education Select Committee (Performance Member Reference Group)",
        "Children, Families, Lifelong Learning and Culture Select Committee",
        "Scrutiny Board"])
    committee.select_option("Children, Families, Lifelong Learning and Culture Select Committee")
    page.get_by_label("Meetings from").fill("2020-01-01")
    ask(page, AUDITS)
    assert bodies[-1]["filters"] == {
        "committee": "Children, Families, Lifelong Learning and Culture Select Committee",
        "date_from": "2020-01-01"}
    expect(page.locator("#log .scope")).to_contain_text("meetings from 1 January 2020")
    expect(last_reply(page)).to_contain_text("1088")

    page.get_by_label("Meetings up to").fill("2019-12-31")
    page.locator("#question").fill(AUDITS)
    page.locator("#question").press("Enter")
    expect(page.locator("#status")).to_contain_text("is after")
    assert len(bodies) == 1


def test_a_refused_question_shows_the_servers_reason(page, api_server):
    page.goto(api_server.url + "/")
    ask(page, "y" * 3000)
    expect(last_reply(page).locator(".notice-error")).to_contain_text("the limit is 2,000")
    expect(page.locator("#question")).to_have_value("y" * 3000)  # kept, to shorten and retry


def test_network_failure_says_the_server_cannot_be_reached(page, api_server):
    page.goto(api_server.url + "/")
    page.route("**/ask/stream", lambda route: route.abort("internetdisconnected"))
    ask(page, AUDITS)
    expect(last_reply(page).locator(".notice-error")).to_have_text(
        re.compile("^Clerk's server can't be reached"))
    expect(page.locator("#question")).to_have_value(AUDITS)  # kept, to ask again


def test_dead_server_port_says_the_server_cannot_be_reached(page):
    """The page was loaded, then its server went away: nothing listens on the port any more."""
    dead = f"http://127.0.0.1:{free_port()}"

    def page_files_only(route: Route) -> None:
        path = route.request.url.removeprefix(dead).split("?")[0]
        if path == "/":
            return route.fulfill(path=STATIC / "index.html", content_type="text/html")
        if path.startswith("/static/"):
            return route.fulfill(path=STATIC / Path(path).name)
        return route.continue_()  # /papers and /ask/stream really go to the dead port

    page.route(f"{dead}/**", page_files_only)
    page.goto(dead + "/")
    expect(page.locator("#status")).to_contain_text("Clerk's server can't be reached")
    ask(page, AUDITS)
    expect(last_reply(page).locator(".notice-error")).to_contain_text(
        "Clerk's server can't be reached")


def test_keyboard_only_ask_and_follow_a_citation(page, api_server):
    page.goto(api_server.url + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    expect(page.locator("#question")).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus indicator
    page.keyboard.type("How many case audits had")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("Surrey completed by July 2020?")
    expect(page.locator("#question")).to_have_value(
        "How many case audits had\nSurrey completed by July 2020?")
    page.keyboard.press("Enter")
    expect(last_reply(page)).to_contain_text("1088")
    expect(page.locator("#log .citation").first).to_contain_text("Paragraph 19")
    expect(page.locator("#question")).to_be_focused()  # ready for a follow-up
    expect(page.locator("#question")).to_have_value("")

    # back from the question over the questions to ask next, then through the answer's tools
    # to the last link of its sources
    for _ in range(page.locator(".suggestions button").count()):
        page.keyboard.press("Shift+Tab")
        expect(page.locator(":focus")).to_have_class("suggestion")
    for name in ("Link to this answer", "Copy answer", "Not helpful", "Helpful"):
        page.keyboard.press("Shift+Tab")
        expect(page.locator(":focus")).to_have_accessible_name(name)
    page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text(re.compile("^Read in context"))
    anchor = focused.get_attribute("href").split("#")[1]  # the last citation's paragraph
    with page.context.expect_page() as opened:
        page.keyboard.press("Enter")
    view = opened.value
    view.wait_for_url(re.compile(rf"paragraph=[^#]+#{anchor}$"))
    expect(view.locator(f"#{anchor}")).to_have_class(re.compile(r"\bcited\b"))


def test_api_key_is_asked_for_on_401_and_sent_with_the_retry(page, api_server):
    """A server that wants a key (simulated at the browser's edge; the real server has none)."""
    seen: list[str | None] = []

    def needs_key(route: Route) -> None:
        key = route.request.headers.get("x-api-key")
        seen.append(key)
        if key != "s3cret":
            return route.fulfill(status=401, content_type="application/json", body=json.dumps(
                {"detail": "missing or wrong API key: send it in the X-API-Key header"}))
        return route.continue_()

    page.route("**/ask/stream", needs_key)
    page.goto(api_server.url + "/")
    ask(page, AUDITS)
    expect(last_reply(page).locator(".notice-error")).to_contain_text("needs an API key")
    key = page.get_by_label("API key", exact=True)
    expect(key).to_be_focused()
    key.fill("s3cret")
    key.press("Enter")
    expect(page.locator("#log > .turn")).to_have_count(2)
    expect(last_reply(page)).to_contain_text("1088")
    assert seen == [None, "s3cret"]
    assert page.evaluate("sessionStorage.getItem('clerk.apiKey')") == "s3cret"


def test_text_from_the_server_is_shown_as_text_never_as_markup(page, api_server):
    hostile = {
        "answer": "<img src=x onerror=\"document.title='pwned'\"> Budget rose [1]. See [2].",
        "abstained": False, "confidence": 0.9, "mode": "extractive",
        "citations": [
            {"ref": 1, "doc_id": "d", "title": "<b>Bold</b> claims", "committee": None,
             "council": "<script>alert(1)</script>", "meeting_date": None,
             "paragraph": "3", "quote": "<i>quoted</i>", "url": "javascript:alert(1)",
             "view_url": "/papers/d/view?paragraph=3#p-3"},
            {"ref": 2, "doc_id": "e", "title": "E", "paragraph": "1", "quote": "q",
             "view_url": "javascript:alert(2)"},
        ]}
    events = (f"event: delta\ndata: {json.dumps({'text': hostile['answer']})}\n\n"
              f"event: answer\ndata: {json.dumps(hostile)}\n\nevent: done\ndata: {{}}\n\n")
    page.route("**/ask/stream", lambda route: route.fulfill(
        status=200, content_type="text/event-stream", body=events))
    page.goto(api_server.url + "/")
    ask(page, "Anything?")
    reply = last_reply(page)
    expect(reply.locator("img, b, i, script")).to_have_count(0)
    expect(reply.locator(".answer-text")).to_contain_text("<img src=x")
    expect(reply.locator(".cite-title").first).to_contain_text("<b>Bold</b> claims")
    expect(reply.locator(".citation").first).to_contain_text("date not printed")
    expect(reply.locator("a[href^='javascript']")).to_have_count(0)
    expect(reply.locator("a.cite-ref")).to_have_count(1)  # [2]'s javascript: link is dropped
    expect(page).not_to_have_title("pwned")


CONTRAST = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest(".sr-only")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const a = lum(parse(style.color).slice(0, 3)), b = lum(background(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const large = parseFloat(style.fontSize) >= 24 ||
      (parseFloat(style.fontSize) >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`${el.tagName}.${el.className}: ${ratio.toFixed(2)}`);
  }
  return failures;
}"""


def test_page_is_labelled_and_its_text_meets_aa_contrast(page, api_server):
    page.goto(api_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the question")
    expect(skip).to_be_focused()
    assert page.evaluate(CONTRAST) == []
    page.keyboard.press("Enter")
    expect(page.locator("#question")).to_be_focused()

    ask(page, AUDITS)
    ask(page, "What is the annual budget of Surrey's children's services?")
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((el) => !el.labels || el.labels.length === 0).map((el) => el.id)""")
    assert unlabelled == []
    expect(page.locator("[aria-live]")).to_have_count(1)
    expect(page.locator("#log")).to_have_attribute("aria-live", "polite")
    assert page.evaluate(CONTRAST) == []


@pytest.mark.parametrize("path, ready", [("/docs", ".swagger-ui .info .title"),
                                         ("/redoc", "redoc-wrap, .redoc-wrap, h1")])
def test_api_docs_render_offline_from_clerks_own_server(page, api_server, path, ready):
    # every script, stylesheet and data request goes to Clerk's own server (ReDoc's footer
    # still asks its CDN for a logo image; without a network the page renders all the same)
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url) if r.resource_type in (
        "document", "script", "stylesheet", "fetch", "xhr", "font") else None)
    page.goto(api_server.url + path)
    expect(page.locator(ready).first).to_contain_text("Clerk", timeout=30_000)
    outside = [u for u in requested if not u.startswith((api_server.url, "data:", "blob:"))]
    assert requested and not outside, outside


@pytest.fixture(scope="module")
def keyed_server(sample_store):
    from tests.conftest import RunningServer, server_env

    server = RunningServer(server_env(sample_store, CLERK_API_KEY="s3cret"))
    yield server
    server.stop()


def test_with_an_api_key_the_page_asks_for_it_and_its_citation_links_open_the_paper(
        page, keyed_server):
    """A real server that wants a key: the page opens, asks with the key it is given, and a
    citation link (a plain navigation, which can send no header) opens the highlighted paper by
    its signature; the paper page's own style is allowed by its CSP."""
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.goto(keyed_server.url + "/")
    ask(page, AUDITS)
    expect(last_reply(page).locator(".notice-error")).to_contain_text("needs an API key")
    key = page.get_by_label("API key", exact=True)
    key.fill("s3cret")
    key.press("Enter")
    expect(last_reply(page)).to_contain_text("1088")
    marker = last_reply(page).locator(".answer-text a.cite-ref", has_text="[1]")
    expect(marker).to_have_attribute("href", re.compile(
        r"paragraph=19&quote=[^#&]+&exp=\d+&sig=[0-9a-f]+#p-19$"))
    with page.context.expect_page() as opened:
        marker.click()
    view = opened.value
    view.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)
    view.wait_for_url(re.compile(
        rf"/papers/{REPORT}/view\?paragraph=19&quote=[^#&]+&exp=\d+&sig=\w+#p-19$"))
    cited = view.locator("#p-19")
    expect(cited).to_contain_text("1088 audits completed")
    expect(cited).to_have_css("background-color", "rgb(255, 251, 230)")  # the page's style ran
    assert violations == []
    # the same page without the signature is refused
    response = page.goto(f"{keyed_server.url}/papers/{REPORT}/view?paragraph=19")
    assert response.status == 401
    expect(page.locator("body")).to_contain_text("needs the API key or a signed link")


def test_on_a_390px_phone_the_ask_button_is_in_view_and_there_is_no_keyboard_hint(
        browser, api_server, artifacts):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(api_server.url + "/")
        page.locator("#question").tap()
        expect(page.locator("#ask")).to_be_in_viewport()
        expect(page.locator(".keys-hint")).to_be_hidden()
        expect(page.locator("#question-hint")).to_contain_text("Follow-up questions")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        page.screenshot(path=str(artifacts / "web-390px.png"))
    finally:
        context.close()
