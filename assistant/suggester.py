"""The questions to ask next for an answer, read from the store: the views of the papers it
cites, the later papers that take up their decisions (the register's follow-through), and the
headings and titles papers share (counted once per version of the store, not per answer).
What the questions say is assistant/suggest.py's (pure); this is what it is given."""

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable

from assistant.models import Answer
from assistant.papers import paper_view
from assistant.store import Store
from assistant.suggest import suggestions


class Suggester:
    PAPERS = 64  # papers' views kept: those cited recently

    def __init__(self, store: Store, register: Callable):
        self.store = store
        self.register = register  # the service's register, built when first needed
        self._shared: tuple = (None, set(), {})  # see shared_names
        self._views: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._lock = threading.Lock()

    def view(self, doc_id: str) -> dict | None:
        """The paper's view (assistant.papers.paper_view), kept by its record's content hash
        and time of writing: a paper cited again is not read from the store again, and a paper
        written since (its record is written after its paragraphs) is read afresh. Views are
        shared: nothing may change one."""
        record = self.store.paper_record(doc_id)
        if record is None:
            return None
        key = (doc_id, f"{record.get('hash')}@{record.get('ingested_at')}")
        with self._lock:
            if key in self._views:
                self._views.move_to_end(key)
                return self._views[key]
        view = paper_view(self.store, doc_id, record)
        if view is not None:
            with self._lock:
                self._views[key] = view
                while len(self._views) > self.PAPERS:
                    self._views.popitem(last=False)
        return view

    def suggest(self, question: str, answer: Answer) -> Answer:
        """The answer with questions to ask next, from the first two papers it cites."""
        if answer.abstained or not answer.citations:
            return answer
        cited = list(dict.fromkeys(c.doc_id for c in answer.citations))[:2]
        read = {d: self.view(d) for d in cited}
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
                    views[up.doc_id] = self.view(up.doc_id)
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
