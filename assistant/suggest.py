"""Suggested follow-ups: two or three questions a councillor might ask next, built only from
what the cited papers hold (the decisions they record and the headings of their sections), so
that each names a paper and something printed in it, never a fact of Clerk's own. Pure: the
cited papers' views in, questions out."""

from assistant.models import Answer
from assistant.papers import human_date

# what a paper's marked paragraphs are asked about, by their kind
DECISION_QUESTIONS = {"recommendation": "What did {name} recommend?",
                      "resolution": "What did the committee resolve on {name}?",
                      "action": "What actions were agreed on {name}?"}
MAX_WORDS = 40  # a suggestion is a question, not a paragraph: a longer one is not offered


def paper_name(view: dict) -> str:
    """The paper as a question names it: its title, and its meeting date where printed."""
    title = view.get("title") or view["doc_id"]
    date = human_date(view.get("meeting_date"))
    return f"{title} ({date})" if date else title


def as_written(heading: str) -> str:
    """A heading in capitals, as a sentence would carry it."""
    return heading[0] + heading[1:].lower() if heading.isupper() else heading


def is_subject(heading: str | None, view: dict, shared: set[str]) -> bool:
    """A heading that names a subject: two words or more, not a label line ("Present: …"),
    not part of the paper's own title or committee, and printed in no other paper (a heading that
    papers share, "Purpose of report", is their template's, not a subject)."""
    if not heading or ":" in heading or len(heading.split()) < 2:
        return False
    own = " | ".join((view.get(f) or "").casefold() for f in ("title", "committee"))
    return heading.casefold() not in own and heading.casefold() not in shared


def decisions(view: dict, cited: set[str], titles: dict[str, int]) -> list[str]:
    """One question per kind of decision the paper records, unless the answer cited it; none
    for a paper printing no date whose title another indexed paper shares (a recurring
    report), as the question could not say which paper's decisions it means."""
    title = (view.get("title") or view["doc_id"]).casefold()
    if not view.get("meeting_date") and titles.get(title, 0) > 1:
        return []
    kinds = dict.fromkeys(p["kind"] for p in view["paragraphs"]
                          if p.get("kind") in DECISION_QUESTIONS and p["label"] not in cited)
    return [DECISION_QUESTIONS[k].format(name=paper_name(view)) for k in kinds]


def nearby_sections(view: dict, cited: set[str], shared: set[str]) -> list[str]:
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
    name = paper_name(view)
    return [f"What does {name} say about {as_written(h)}?"
            for h in sorted(first, key=lambda h: first[h])]


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
            out.append(f"What does {paper_name(view)} say about {as_written(heading)}?")
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
    per_paper = []
    for view in views:
        cited = {c.paragraph for c in answer.citations if c.doc_id == view["doc_id"]}
        per_paper.append(decisions(view, cited, titles)[:1]
                         + nearby_sections(view, cited, shared))
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
