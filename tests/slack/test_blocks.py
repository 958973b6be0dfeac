"""The pure parts of the Slack front: escaping, reading Slack's text, Block Kit within Slack's
limits, threads as turns, retry dedupe."""

from hypothesis import given
from hypothesis import strategies as st

from assistant.models import Answer, Citation
from assistant.slack_blocks import (
    CONTEXT_ELEMENTS,
    ELLIPSIS,
    MAX_BLOCKS,
    SECTION_CHARS,
    ZWSP,
    SeenEvents,
    answer_blocks,
    clip,
    escape,
    meeting_date,
    plain_text,
    split_text,
    thread_turns,
)


def citation(ref: int, **kw) -> Citation:
    values = {"ref": ref, "doc_id": "surrey-report", "title": "Children's Improvement Update",
              "committee": "Select Committee", "council": "Surrey County Council",
              "meeting_date": "2020-07-28", "paragraph": str(ref),
              "quote": "There have been 1088 audits completed.",
              "view_url": f"/papers/surrey-report/view?paragraph={ref}#p-{ref}", **kw}
    return Citation(**values)


def all_texts(blocks):
    for b in blocks:
        if b["type"] == "section":
            yield b["text"]["text"]
        for e in b.get("elements", []):
            if e.get("type") == "mrkdwn":
                yield e["text"]


def test_escape_neutralises_mentions_links_and_formatting():
    text = escape("<!channel> @here @Everyone <@U123> <https://evil|click> a & b *bold* ```x```")
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt;" in text and "a &amp; b" in text
    assert "@here" not in text and f"@{ZWSP}here" in text and f"@{ZWSP}Everyone" in text
    assert "*bold*" not in text and "```" not in text
    assert text.replace(ZWSP, "").replace("&lt;", "<").replace("&gt;", ">") \
        .replace("&amp;", "&").startswith("<!channel> @here")


@given(st.text(max_size=300))
def test_escaped_text_can_never_form_a_slack_token(text):
    out = escape(text)
    assert "<" not in out and ">" not in out
    for word in ("@channel", "@here", "@everyone"):
        assert word not in out.lower()


def test_plain_text_strips_the_bot_mention_and_names_the_rest():
    text = ("<@UCLERK> did <@U0BOB|bob> see <#C1|general> and <https://x.gov.uk|the paper> "
            "&amp; <!here>?")
    assert plain_text(text, "UCLERK") == "did @bob see #general and the paper & @here?"
    assert plain_text("<@UCLERK>", "UCLERK") == ""


def test_dates_are_spelt_out_and_missing_ones_said_so():
    assert meeting_date("2020-07-28") == "28 July 2020"
    assert meeting_date(None) == "date not printed"


def test_an_abstention_offers_the_closest_passages_as_not_an_answer():
    from assistant.models import CitedParagraph

    near = CitedParagraph(**citation(19).model_dump(exclude={"ref"}))
    blocks = answer_blocks(Answer(answer="The papers I have don't say.", abstained=True,
                                  closest=[near]))
    texts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    assert texts[0] == "Not an answer; the closest passages were:"
    assert texts[1].startswith("• Select Committee · 28 July 2020 · paragraph 19")
    assert "[1]" not in " ".join(texts)


def test_a_missing_meeting_date_is_shown_as_not_printed():
    blocks = answer_blocks(Answer(answer="It did. [1]", abstained=False,
                                  citations=[citation(1, meeting_date=None)]))
    assert "date not printed" in blocks[1]["elements"][0]["text"]


def test_citation_links_are_absolute_with_the_public_url_and_absent_without_one():
    answer = Answer(answer="It did. [1]", abstained=False, citations=[citation(19)])
    line = answer_blocks(answer, public_url="https://clerk.example/")[1]["elements"][0]["text"]
    url = "https://clerk.example/papers/surrey-report/view?paragraph=19#p-19"
    assert f"<{url}|paragraph 19>" in line
    line = answer_blocks(answer)[1]["elements"][0]["text"]
    assert "paragraph 19" in line and "<" not in line


def test_quotes_from_papers_are_escaped():
    answer = Answer(answer="x [1]", abstained=False,
                    citations=[citation(1, quote="Tell @channel <!here> now", title="A <b> & c")])
    texts = " ".join(all_texts(answer_blocks(answer)))
    assert "<!here>" not in texts and "@channel" not in texts and "<b>" not in texts


def test_a_very_long_answer_with_many_citations_stays_within_slack_limits():
    long = " ".join(f"Sentence {i} says something about audits & plans. [{i % 60 + 1}]"
                    for i in range(2000))
    answer = Answer(answer=long, abstained=False, citations=[citation(i) for i in range(1, 61)])
    blocks = answer_blocks(answer, public_url="https://clerk.example", question="q" * 5000,
                           asker="U0ALICE", answer_id="0123456789abcdef")
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(t) <= SECTION_CHARS for t in all_texts(blocks))
    assert all(len(b["elements"]) <= CONTEXT_ELEMENTS for b in blocks if b["type"] == "context")
    sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    assert sections[-1].endswith(ELLIPSIS)
    assert blocks[-1]["type"] == "actions"
    every = " ".join(all_texts(blocks))
    assert "paragraph 1>" in every and "paragraph 40>" in every  # citations kept
    assert not any(t.rstrip(ELLIPSIS).endswith(("&", "&a", "&am", "&amp")) for t in sections)


@given(st.text(alphabet=st.sampled_from("ab &;\n"), max_size=400),
       st.integers(20, 60), st.integers(1, 5))
def test_split_text_keeps_sizes_and_parts(text, size, parts):
    pieces = split_text(text, size, parts)
    assert len(pieces) <= parts and all(len(p) <= size for p in pieces)
    if len(text.strip()) <= size:
        assert pieces == ([text.strip()] if text.strip() else [])


def test_clip_cuts_at_a_space_with_an_ellipsis():
    assert clip("short", 10) == "short"
    assert clip("one two three four", 12) == "one two" + ELLIPSIS


def test_thread_messages_become_turns_before_the_current_one():
    messages = [
        {"ts": "1.000200", "user": "UCLERK", "bot_id": "BCLERK", "text": "Answer one. [1]"},
        {"ts": "1.000100", "user": "U0ALICE", "text": "<@UCLERK> First question?"},
        {"ts": "1.000300", "user": "U0ALICE", "text": "<@UCLERK> And then?"},
        {"ts": "1.000400", "user": "U0BOB", "text": "later"}]
    turns = thread_turns(messages, "1.000300", "UCLERK", "BCLERK")
    assert [(t.role, t.content) for t in turns] == [("user", "First question?"),
                                                     ("assistant", "Answer one. [1]")]


def test_a_bot_answer_carrying_its_question_restores_the_question_turn():
    messages = [{"ts": "1.1", "bot_id": "BCLERK", "text": "Answer. [1]",
                 "metadata": {"event_type": "clerk_answer",
                              "event_payload": {"question": "Slash question?",
                                                "cited": ["paper-a", 7, ""]}}}]
    turns = thread_turns(messages, "2.0", "UCLERK", "BCLERK")
    assert [(t.role, t.content) for t in turns] == [("user", "Slash question?"),
                                                     ("assistant", "Answer. [1]")]
    # the papers the answer cited, for a follow-up to search (junk entries dropped)
    assert [c.doc_id for c in turns[1].citations] == ["paper-a"]


def test_seen_events_remembers_ids_within_its_bound():
    seen = SeenEvents(size=2)
    assert seen.first_time("a") and not seen.first_time("a")
    assert seen.first_time("b") and seen.first_time("c")
    assert seen.first_time("a")  # forgotten past the bound


def test_two_quotes_from_one_paragraph_are_one_source_listing_both_under_their_markers():
    first = citation(1, paragraph="19")
    second = citation(2, paragraph="19", quote="The most recent highlight report is attached.")
    other = citation(3, paragraph="20", quote="Thematic audits continue.")
    answer = Answer(answer="Audits. [1] A report. [2] Themes. [3]", abstained=False,
                    citations=[first, second, other])
    blocks = answer_blocks(answer, public_url="https://clerk.example", answer_id="abc")
    sources = [b for b in blocks if b["type"] == "context"]
    assert len(sources) == 2  # paragraph 19 once, paragraph 20 once
    line, quotes = (e["text"] for e in sources[0]["elements"])
    assert line.startswith("*[1, 2]* Select Committee · 28 July 2020 · <https://clerk.example/")
    assert line.count("paragraph 19") == 1
    assert quotes.split("\n") == ["*[1]* “There have been 1088 audits completed.”",
                                  "*[2]* “The most recent highlight report is attached.”"]
    # a paragraph quoted once keeps the plain shape: its marker, then the quote alone
    assert sources[1]["elements"][0]["text"].startswith("*[3]* ")
    assert sources[1]["elements"][1]["text"] == "“Thematic audits continue.”"


def test_the_same_words_cited_by_two_markers_are_quoted_once():
    answer = Answer(answer="A. [1] Again A. [2]", abstained=False,
                    citations=[citation(1, paragraph="19"), citation(2, paragraph="19")])
    (source,) = [b for b in answer_blocks(answer) if b["type"] == "context"]
    assert source["elements"][0]["text"].startswith("*[1, 2]* ")
    assert source["elements"][1]["text"] == "“There have been 1088 audits completed.”"


def test_a_paragraph_quoted_twice_links_to_its_view_with_both_quotes_and_a_valid_signature():
    """The source line's link opens the paper view with every quote of the paragraph marked;
    a signed link (as Slack sends with an API key set) keeps a signature that verifies."""
    import re
    from urllib.parse import parse_qs, urlsplit

    from assistant.answer import view_url
    from assistant.security import LinkSigner

    signer = LinkSigner("s3cret", 3600)
    words = ["There have been 1088 audits completed.", "A report is attached & signed."]
    cites = [citation(n, paragraph="19", quote=q, view_url=signer.sign_view_url(
        view_url("", "surrey-report", "19", q), "surrey-report")) for n, q in ((1, words[0]),
                                                                             (2, words[1]))]
    answer = Answer(answer="Audits. [1] A report. [2]", abstained=False, citations=cites)
    (source,) = [b for b in answer_blocks(answer, public_url="https://clerk.example")
                 if b["type"] == "context"]
    target = re.search(r"<([^|>]+)\|paragraph 19>", source["elements"][0]["text"]).group(1)
    url = urlsplit(target.replace("&amp;", "&"))
    query = parse_qs(url.query)
    assert url.path == "/papers/surrey-report/view" and url.fragment == "p-19"
    assert query["quote"] == words and query["paragraph"] == ["19"]
    assert signer.verify("surrey-report", query["exp"][0], query["sig"][0])
