"""Suggested follow-ups: two or three questions a councillor might ask next, built only from
what the cited papers hold (the decisions they record and the headings of their sections), so
that each names a paper and something printed in it, never a fact of Clerk's own. A paper is
named as a person would type it on a phone, never by a long title and a bracketed date: a
section by the paper's meeting date and kind ("What does the 28 July 2020 report say about
…?"); a decision by who took it, the committee as it is called (minutes) or the paper's short
title (a report), and when ("What did the Scrutiny Board recommend on 4 March 2021?"), as those
words are what finds the decision again. Pure: the cited papers' views in, questions out."""

import re

from assistant.models import Answer
from assistant.papers import human_date

# what a paper's marked paragraphs are asked about, by their kind: {who} took them {when}
DECISION_QUESTIONS = {"recommendation": "What did {who} recommend{when}?",
                      "resolution": "What did {who} resolve{when}?",
                      "action": "What actions did {who} agree{when}?"}
# the same, of a paper with no short name for who took them: {within} is where they are
DECISIONS_WITHIN = {"recommendation": "What was recommended {within}?",
                    "resolution": "What was resolved {within}?",
                    "action": "What actions were agreed {within}?"}
MAX_WORDS = 40  # a suggestion is a question, not a paragraph: a longer one is not offered
SHORT_WORDS = 5  # a name of at most this many words is short enough to type on a phone
# characters of a heading a suggestion carries: a longer one is cut at a word, as a phone's
# button shows about 40 characters a line and a question should take two or three
HEADING_CHARS = 60
ELLIPSIS = "…"
# what a paper of each kind is called in a question; minutes are plural ("do … say")
KIND_NOUNS = {"minutes": "minutes", "report": "report", "agenda": "agenda",
              "decision": "decision notice", "appendix": "appendix"}


def short_name(view: dict) -> str | None:
    """"the 28 July 2020 report": the meeting date and the kind of paper; None when the paper
    prints no date."""
    date = human_date(view.get("meeting_date"))
    kind = KIND_NOUNS.get((view.get("doc_type") or "").lower(), "paper")
    return f"the {date} {kind}" if date else None


def paper_name(view: dict, full: bool = False) -> str:
    """The paper as a question names it: its short name, else (or when `full`) its title with
    its meeting date where printed."""
    if not full and (short := short_name(view)):
        return short
    title = view.get("title") or view["doc_id"]
    date = human_date(view.get("meeting_date"))
    return f"{title} ({date})" if date else title


def says_about(view: dict, heading: str, full: bool = False) -> str:
    name = paper_name(view, full)
    verb = "do" if name.endswith(" minutes") else "does"
    return f"What {verb} {name} say about {shortened(as_written(heading))}?"


def is_short(name: str | None) -> bool:
    return bool(name) and len(name.split()) <= SHORT_WORDS


def body_name(view: dict) -> str | None:
    """The committee as people call it: a sub-body named in brackets after its parent
    ("… Select Committee (Performance Member Reference Group)" is the group), else the
    committee's name, when short enough to type."""
    committee = (view.get("committee") or "").strip()
    inner = re.search(r"\(([^()]+)\)\s*$", committee)
    name = inner.group(1).strip() if inner else committee
    return f"the {name}" if is_short(name) else None


def decision_question(kind: str, view: dict, full: bool = False) -> str:
    """A decision asked of who took it and when: for minutes of a dated meeting, the committee
    by its short name; for another paper, its title when short (dated where printed); else
    where it is recorded ("in the 28 July 2020 report", or the title of an undated paper)."""
    date = human_date(view.get("meeting_date"))
    when = f" on {date}" if date else ""
    title = view.get("title")
    minutes = (view.get("doc_type") or "").lower() == "minutes"
    who = body_name(view) if minutes and date and not full else None
    if who is None and is_short(title) and not (minutes and date) and not full:
        who = title
    if who is not None:
        return DECISION_QUESTIONS[kind].format(who=who, when=when)
    return DECISIONS_WITHIN[kind].format(within=within(view, full))


def within(view: dict, full: bool = False) -> str:
    """Where a decision was taken: "at the 6 February 2018 meeting" for minutes, "in the 28
    July 2020 report" for another paper, "in <title>" for a paper printing no date."""
    if (view.get("doc_type") or "").lower() == "minutes" and not full \
            and (date := human_date(view.get("meeting_date"))):
        return f"at the {date} meeting"
    return f"in {paper_name(view, full)}"


def as_written(heading: str) -> str:
    """A heading in capitals, as a sentence would carry it."""
    return heading[0] + heading[1:].lower() if heading.isupper() else heading


def shortened(heading: str, limit: int = HEADING_CHARS) -> str:
    """A heading of at most ``limit`` characters as it is; a longer one cut after its last
    whole word that fits, never inside a word, with an ellipsis ("Consultation on proposals
    for the redevelopment of the Dry…"); a first word longer than the limit is kept whole."""
    if len(heading) <= limit:
        return heading
    cut = heading[:limit + 1]  # its last word is whole only when a space follows it
    words = (cut.split() if cut[-1].isspace() else cut.split()[:-1]) or heading.split()[:1]
    return " ".join(words).rstrip(" ,;:.-–—&/(") + ELLIPSIS


def is_subject(heading: str | None, view: dict, shared: set[str]) -> bool:
    """A heading that names a subject: two words or more, not a label line ("Present: …"),
    not part of the paper's own title or committee, and printed in no other paper (a heading that
    papers share, "Purpose of report", is their template's, not a subject)."""
    if not heading or ":" in heading or len(heading.split()) < 2:
        return False
    own = " | ".join((view.get(f) or "").casefold() for f in ("title", "committee"))
    return heading.casefold() not in own and heading.casefold() not in shared


def decisions(view: dict, cited: set[str], titles: dict[str, int],
              full: bool = False) -> list[str]:
    """One question per kind of decision the paper records, unless the answer cited it; none
    for a paper printing no date whose title another indexed paper shares (a recurring
    report), as the question could not say which paper's decisions it means."""
    title = (view.get("title") or view["doc_id"]).casefold()
    if not view.get("meeting_date") and titles.get(title, 0) > 1:
        return []
    kinds = dict.fromkeys(p["kind"] for p in view["paragraphs"]
                          if p.get("kind") in DECISION_QUESTIONS and p["label"] not in cited)
    return [decision_question(k, view, full) for k in kinds]


def nearby_sections(view: dict, cited: set[str], shared: set[str],
                    full: bool = False) -> list[str]:
    """The paper's other sections, nearest the cited paragraph first: what the same report
    or meeting went on to cover."""
    paragraphs = view["paragraphs"]
    at = next((i for i, p in enumerate(paragraphs) if p["label"] in cited), 0)
    skip = {p.get("heading") for p in paragraphs if p["label"] in cited}
    first: dict[str, int] = {}
    for i, p in enumerate(paragraphs):
        heading = p.get("heading")
        if heading in skip or p.get("kind") or not is_subject(heading, view, shared):
            continue
        first.setdefault(heading, abs(i - at))
    return [says_about(view, h, full) for h in sorted(first, key=lambda h: first[h])]


def what_next(later: list[dict], shared: set[str]) -> list[str]:
    """For a later paper that takes up a decision of a cited paper (the register's follow-up:
    a later paper's paragraph, as `{"view", "label"}`), the section holding that paragraph,
    when its heading names a subject."""
    out = []
    for found in later:
        view = found["view"]
        heading = next((p.get("heading") for p in view["paragraphs"]
                        if p["label"] == found["label"]), None)
        if is_subject(heading, view, shared) and view.get("meeting_date"):
            out.append(says_about(view, heading))
    return list(dict.fromkeys(out))


def suggestions(question: str, answer: Answer, views: list[dict], shared: set[str],
                titles: dict[str, int], later: list[dict] | None = None,
                limit: int = 3) -> list[str]:
    """Up to `limit` questions from the cited papers (`views`, in the order cited): each
    paper's decisions first, then its sections nearest the cited paragraph. `shared`: the
    headings printed in several papers; `titles`: how many indexed papers have each title
    (casefolded); `later`: the register's follow-ups of the cited papers' decisions, asked
    about second ("what happened next")."""
    if answer.abstained or not answer.citations:
        return []
    short = [short_name(v) for v in views]
    per_paper = []
    for view, name in zip(views, short):
        cited = {c.paragraph for c in answer.citations if c.doc_id == view["doc_id"]}
        full = short.count(name) > 1  # two cited papers of one date and kind: by title
        per_paper.append(decisions(view, cited, titles, full)[:1]
                         + nearby_sections(view, cited, shared, full))
    if nexts := what_next(later or [], shared):
        per_paper[0][1:1] = nexts[:1]
    out: list[str] = []
    for rank in range(max((len(q) for q in per_paper), default=0)):  # paper by paper, in turn
        for candidates in per_paper:
            if rank < len(candidates):
                q = candidates[rank]
                if (q not in out and q.casefold() != question.strip().casefold()
                        and len(q.split()) <= MAX_WORDS):
                    out.append(q)
    return out[:limit]
