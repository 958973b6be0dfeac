"""The questions to ask next for an answer, read from the store: the views of the papers it
cites, the later papers that take up their decisions (the register's follow-through), and the
headings and titles papers share (counted once per version of the store, not per answer).
What the questions say is assistant/suggest.py's (pure); this is what it is given."""

from collections import Counter
from collections.abc import Callable

from assistant.models import Answer
from assistant.papers import paper_view
from assistant.store import Store
from assistant.suggest import suggestions


class Suggester:
    def __init__(self, store: Store, register: Callable):
        self.store = store
        self.register = register  # the service's register, built when first needed
        self._shared: tuple = (None, set(), {})  # see shared_names

    def suggest(self, question: str, answer: Answer) -> Answer:
        """The answer with questions to ask next, from the first two papers it cites."""
        if answer.abstained or not answer.citations:
            return answer
        cited = list(dict.fromkeys(c.doc_id for c in answer.citations))[:2]
        read = {d: paper_view(self.store, d) for d in cited}
        views = [v for v in read.values() if v is not None]
        cited_paragraphs = {(c.doc_id, c.paragraph) for c in answer.citations}
        headings, titles = self.shared_names()
        found = suggestions(question, answer, views, headings, titles,
                            self.later_papers(cited, cited_paragraphs, read))
        return answer.model_copy(update={"suggestions": found})

    def later_papers(self, doc_ids: list[str], cited: set[tuple[str, str]],
                     views: dict[str, dict | None] | None = None) -> list[dict]:
        """The later papers' paragraphs that take up the decisions of these papers (the
        register's follow-through), each as {"view", "label"}: those of a cited decision
        first. ``views``: the papers already read (a later paper may be one of them)."""
        found, views = [], dict(views or {})
        records = [r for r in self.register().records() if r.doc_id in doc_ids]
        for record in sorted(records, key=lambda r: (r.doc_id, r.paragraph) not in cited):
            for up in record.follow_through.later[:1]:
                if up.doc_id not in views:
                    views[up.doc_id] = paper_view(self.store, up.doc_id)
                if views[up.doc_id] is not None:
                    found.append({"view": views[up.doc_id], "label": up.paragraph})
        return found

    def shared_names(self) -> tuple[set[str], dict[str, int]]:
        """Headings printed in more than one paper (casefolded: a template's, not a subject),
        and how many papers have each title (casefolded). Counted once per version of the
        store, not per answer."""
        version = self.store.current_version()
        if self._shared[0] != version:
            headings = {h for h, docs in self.store.headings().items() if len(docs) > 1}
            titles = Counter((r.get("title") or d).casefold()
                             for d, r in self.store.records().items())
            self._shared = (version, headings, titles)
        return self._shared[1], self._shared[2]
