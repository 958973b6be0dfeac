"""The paper view a citation opens: for a PDF, the cited page as printed with the quoted words
boxed; for any paper, the quoted words marked in the text, labels shown once, and a permanent
link for every paragraph. Driven in a real headless Chromium against a real `clerk serve`."""

import re
import shutil

import httpx
import pytest

from tests.conftest import ROOT, RunningServer, server_env

pytest.importorskip("playwright.sync_api", reason="the page tests need `pip install playwright`")
from playwright.sync_api import expect

DEV = ROOT.parent / "shared" / "corpus-dev" / "papers"
MINUTES = "ROYAL-SUTTON-COLDFIELD-TC_amenities-leisure-community-services_2018-03-13_minutes"
PDF_ID = MINUTES.lower().replace("_", "-")  # the doc id ingest gives the file
REPORT = "surrey-cfllc-2020-07-28-childrens-improvement-update"
QUOTE = "The Chairman advised that Birmingham City Council is responsible for this service."
# the sentence before QUOTE, in the same paragraph: two quotes of one paragraph
BEFORE = ("A local resident raised concerns about the reduced grass cutting service at Little "
          "Sutton Road and Sheperds Pool Road.")


@pytest.fixture(scope="module")
def pdf_server(tmp_path_factory, embedder):
    """A server over one real council's PDF minutes and the sample corpus."""
    from assistant.settings import Settings
    from ingest.pipeline import run_ingest

    if not (DEV / f"{MINUTES}.pdf").is_file():
        pytest.fail(f"the development corpus is missing: {DEV}")
    papers = tmp_path_factory.mktemp("papers")
    shutil.copy(DEV / f"{MINUTES}.pdf", papers / f"{MINUTES}.pdf")
    shutil.copy(ROOT / "corpus" / f"{REPORT}.md", papers / f"{REPORT}.md")
    settings = Settings(_env_file=None, data_dir=tmp_path_factory.mktemp("pdf-data"))
    assert run_ingest([papers], settings, lambda: embedder, progress=False).failed == 0
    server = RunningServer(server_env(settings))
    server.env = server_env(settings)
    yield server
    server.stop()


def server_env_of(server, **extra) -> dict:
    """The environment of a running server, with ``extra`` settings: a second server on its
    store."""
    env = dict(server.env)
    env.update(extra)
    return env


def _label_of(server, quote: str, headers: dict | None = None) -> str:
    paper = httpx.get(f"{server.url}/papers/{PDF_ID}", timeout=30, headers=headers).json()
    return next(p["label"] for p in paper["paragraphs"] if quote in " ".join(p["text"].split()))


def test_a_pdf_page_is_served_as_printed(pdf_server):
    page = httpx.get(f"{pdf_server.url}/papers/{PDF_ID}/pages/1", timeout=60)
    assert page.status_code == 200 and page.headers["content-type"] == "image/png"
    assert page.content.startswith(b"\x89PNG") and len(page.content) > 50_000
    missing = httpx.get(f"{pdf_server.url}/papers/{PDF_ID}/pages/99", timeout=30)
    assert missing.status_code == 404 and "there is no page 99" in missing.json()["detail"]
    text = httpx.get(f"{pdf_server.url}/papers/{REPORT}/pages/1", timeout=30)
    assert text.status_code == 404 and "has no PDF" in text.json()["detail"]


def test_a_pdf_citation_shows_the_printed_page_with_the_quoted_words_boxed(
        page, pdf_server, artifacts):
    label = _label_of(pdf_server, QUOTE)
    page.goto(f"{pdf_server.url}/papers/{PDF_ID}/view?paragraph={label}"
              f"&quote={httpx.QueryParams({'q': QUOTE})['q']}#p-{label.lower()}")
    sheet = page.locator("figure.sheet")
    expect(sheet).to_have_count(1)
    image = sheet.locator("img")
    expect(image).to_have_attribute("src", f"/papers/{PDF_ID}/pages/1")
    page.wait_for_function("() => document.querySelector('figure.sheet img').naturalWidth > 0")
    boxes = sheet.locator(".hl")
    expect(boxes).to_have_count(1)  # the quote is one printed line
    # the box lies on the image, in its lower half, as wide as a line of print, not the page
    img, box = image.bounding_box(), boxes.first.bounding_box()
    assert img["y"] + 0.4 * img["height"] < box["y"] < img["y"] + 0.7 * img["height"]
    assert 0.3 * img["width"] < box["width"] < 0.9 * img["width"] and box["height"] < 40
    # beside it, for screen readers, the paragraph's label and text with the quote marked
    beside = page.locator("aside.beside")
    expect(beside).to_contain_text(f"Paragraph {label}")
    expect(beside.locator("mark")).to_have_text(QUOTE)
    # the title block stays in view and the date is written as a person writes it
    expect(page.locator("header.bar")).to_contain_text("13 March 2018")
    page.screenshot(path=str(artifacts / "web-paper-view-pdf.png"))
    page.mouse.wheel(0, 3000)
    expect(page.locator("header.bar h1")).to_be_in_viewport()


def _view(server, label: str, *quotes: str) -> str:
    response = httpx.get(f"{server.url}/papers/{PDF_ID}/view", timeout=60,
                         params=[("paragraph", label), *(("quote", q) for q in quotes)])
    assert response.status_code == 200
    return response.text


def _boxes(page: str) -> list[str]:
    """The highlight boxes' places on the printed page, as the page's style block sets them."""
    return re.findall(r"#[\w-]+\{(left:[^}]*)\}", page)


def test_two_quotes_of_a_pdf_paragraph_are_both_boxed_on_the_printed_page(pdf_server):
    label = _label_of(pdf_server, QUOTE)
    first, second = _boxes(_view(pdf_server, label, BEFORE)), _boxes(_view(pdf_server, label, QUOTE))
    assert first and second and not set(first) & set(second)
    both = _view(pdf_server, label, BEFORE, QUOTE)
    assert sorted(_boxes(both)) == sorted(first + second)  # every quote's boxes, none else
    beside = both[both.index("<aside class='beside'>"):both.index("</aside>")]
    assert re.findall(r"<mark>(.*?)</mark>", beside) == [BEFORE, QUOTE]
    assert len(re.findall(r"<mark>", both)) == 4  # beside the page, and in the text


def test_read_in_context_on_a_two_quote_pdf_card_boxes_both_quotes(page, pdf_server):
    """The asking page's source card for a PDF paragraph quoted twice: its "Read in context"
    opens the printed page with both quotes' words boxed and both marked beside it."""
    from assistant.answer import anchor
    from tests.web.test_page import ask, last_reply
    from tests.web.test_sources import serve

    paper = httpx.get(f"{pdf_server.url}/papers/{PDF_ID}", timeout=30).json()
    label = _label_of(pdf_server, QUOTE)
    expected = len(_boxes(_view(pdf_server, label, BEFORE, QUOTE)))

    def cited(ref: int, words: str) -> dict:
        link = httpx.URL("/papers/" + PDF_ID + "/view",
                         params={"paragraph": label, "quote": words})
        return {"ref": ref, "doc_id": PDF_ID, "title": paper["title"], "doc_type": "minutes",
                "council": paper["council"], "committee": paper["committee"],
                "meeting_date": paper["meeting_date"], "paragraph": label, "quote": words,
                "url": None, "view_url": f"{link}#{anchor(label)}"}

    serve(page, {"answer": f"{BEFORE} [1]\n{QUOTE} [2]", "abstained": False,
                 "reason": "answered", "confidence": 0.9, "mode": "extractive",
                 "suggestions": [], "citations": [cited(1, BEFORE), cited(2, QUOTE)]})
    page.goto(pdf_server.url + "/")
    ask(page, "Who is responsible for grass cutting?")
    card = last_reply(page).locator(".citations .citation")
    expect(card).to_have_count(1)
    with page.context.expect_page() as opened:
        card.get_by_role("link", name=re.compile(r"^Read in context")).click()
    view = opened.value
    view.wait_for_function("() => document.querySelector('figure.sheet img')?.naturalWidth > 0")
    expect(view.locator("figure.sheet .hl")).to_have_count(expected)
    expect(view.locator("aside.beside mark")).to_have_text([BEFORE, QUOTE])
    tops = sorted(b["y"] for b in (box.bounding_box() for box in
                                   view.locator("figure.sheet .hl").all()))
    assert tops[-1] - tops[0] > 10  # the boxes lie on different lines of print
    # the link opens on the quoted words as printed, not on the paragraph's text below them
    target = anchor(label)
    assert view.url.endswith(f"#{target}")
    expect(view.locator(f"figure.sheet .hl#{target}")).to_be_in_viewport()
    expect(view.locator(f"#{target}-text mark")).to_have_text([BEFORE, QUOTE])


def test_on_a_390px_phone_a_pdf_citation_opens_on_its_boxed_words_and_fits(browser, pdf_server,
                                                                           artifacts):
    from assistant.answer import anchor as anchor_of

    label = _label_of(pdf_server, QUOTE)
    anchor = anchor_of(label)
    link = httpx.URL(f"{pdf_server.url}/papers/{PDF_ID}/view",
                     params=[("paragraph", label), ("quote", BEFORE), ("quote", QUOTE)])
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        page = context.new_page()
        page.goto(f"{link}#{anchor}")
        page.wait_for_function("() => document.querySelector('figure.sheet img')?.naturalWidth > 0")
        first = page.locator(f"figure.sheet .hl#{anchor}")
        expect(first).to_be_in_viewport()
        assert first.bounding_box()["y"] > page.locator("header.bar").bounding_box()["height"]
        # a long unbroken run of dots ("Signed……") wraps instead of widening the page
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "web-paper-view-pdf-390.png"))
    finally:
        context.close()


def test_only_the_quoted_words_are_marked_and_labels_are_shown_once(page, pdf_server, artifacts):
    quote = "There have been 1088 audits completed within the audit programme to date."
    page.goto(f"{pdf_server.url}/papers/{REPORT}/view?paragraph=19"
              f"&quote={httpx.QueryParams({'q': quote})['q']}#p-19")
    cited = page.locator("#p-19")
    expect(cited).to_have_class(re.compile(r"\bcited\b"))
    expect(cited.locator("mark")).to_have_text(quote)
    expect(page.locator("mark")).to_have_count(1)
    expect(page.locator("figure.sheet")).to_have_count(0)  # a Markdown paper has no pages
    for para in page.locator(".para").all()[:40]:  # "19 19." never: the label once
        text = para.inner_text().replace("¶", "").strip()
        first = text.split()[0] if text else ""
        assert not (len(text.split()) > 1 and text.split()[1] == first), text
    page.screenshot(path=str(artifacts / "web-paper-view-text.png"))


def test_every_paragraph_has_a_permanent_link_that_a_browser_can_open(page, pdf_server):
    page.goto(f"{pdf_server.url}/papers/{REPORT}/view")
    link = page.locator("#p-19 a.permalink")
    expect(link).to_have_attribute("href", f"/papers/{REPORT}#p-19")
    page.goto(f"{pdf_server.url}/papers/{REPORT}#p-19")  # a browser gets the page
    expect(page.locator("#p-19")).to_be_in_viewport()
    expect(page.locator("#p-19")).to_contain_text("1088 audits")
    # an API client asking the same address still gets JSON
    data = httpx.get(f"{pdf_server.url}/papers/{REPORT}", timeout=30).json()
    assert data["doc_id"] == REPORT and data["paragraphs"]


def test_an_over_long_quote_gets_a_reason_not_a_page(pdf_server):
    response = httpx.get(f"{pdf_server.url}/papers/{REPORT}/view",
                         params={"paragraph": "19", "quote": "x" * 10_000}, timeout=30)
    assert response.status_code == 422 and "quote" in response.json()["detail"]


def test_with_an_api_key_a_signed_link_opens_the_printed_page_too(page, pdf_server):
    """A server with a key: the citation's signed link opens the paper page, and the printed
    page's image carries the same signature; without it the image is refused."""
    from assistant.security import LinkSigner

    env = server_env_of(pdf_server, CLERK_API_KEY="s3cret")
    keyed = RunningServer(env)
    try:
        label = _label_of(keyed, QUOTE, headers={"X-API-Key": "s3cret"})
        url = LinkSigner("s3cret", 3600).sign_view_url(
            f"/papers/{PDF_ID}/view?paragraph={label}&quote={httpx.QueryParams({'q': QUOTE})['q']}",
            PDF_ID)
        page.goto(keyed.url + url)
        image = page.locator("figure.sheet img")
        expect(image).to_have_attribute("src", re.compile(r"/pages/1\?exp=\d+&sig=\w+$"))
        page.wait_for_function("() => document.querySelector('figure.sheet img').naturalWidth > 0")
        expect(page.locator("figure.sheet .hl")).to_have_count(1)
        box = page.locator("figure.sheet .hl").first.bounding_box()
        assert box and box["width"] > 50  # positioned by the page's own style block, under its CSP
        bare = httpx.get(f"{keyed.url}/papers/{PDF_ID}/pages/1", timeout=30)
        assert bare.status_code == 401
    finally:
        keyed.stop()
