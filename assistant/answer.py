"""Answering without a model: pick the sentences of the best passages that answer the
question, each with its [n] marker and an exact quote. Abstain when the evidence is weak."""

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote as urlquote

import numpy as np

from assistant.embedder import Embedder
from assistant.models import NOT_IN_PAPERS, Answer, Citation
from assistant.retrieve import STOPWORDS, Passage, tokenize
from ingest.chunk import split_sentences

_LABEL_PREFIX = re.compile(r"^\s*(?:[-*•·]\s*)?\d{1,3}(?:\.\d{1,2})*\.?\s+")
_MARKER = re.compile(r"^(?:[-*•·▪◦●]\s*)?(?:\(?[a-z]\)\s*|[a-z]\.\s+|\(?[ivx]{1,4}\)\s*)?")
_BULLET_START = re.compile(r"^(?:[-*•·▪◦●]\s|\(?[a-z]\)\s|[a-z]\.\s)")
_NUMBER = re.compile(r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*%?|\b(?:one|two|three|four|five|six|seven|"
                     r"eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
                     r"half|quarter|dozen|all|none|majority)\b", re.I)
_DAY_MONTH = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:&\s+\d{1,2}\s+)?(?:january|february|march|"
                        r"april|may|june|july|august|september|october|november|december)\b|"
                        r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b", re.I)
_DATE_WORDS = re.compile(r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|"
                         r"august|september|october|november|december|spring|summer|autumn|"
                         r"winter|year|month|week|meeting)\b", re.I)
_REPORTED_QUESTION = re.compile(r"\b(?:asked|questioned|queried|sought|enquired)\b[^.]*?"
                                r"\b(?:whether|what|how|why|if|when|who|which|for)\b", re.I)
_PROPER = re.compile(r"(?<![.?!:]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_NOT_NAMES = STOPWORDS | set("january february march april may june july august september october "
                              "november december monday tuesday wednesday thursday friday "
                              "saturday sunday".split())
_TWO_CAPS = re.compile(r"\b([A-Z][a-z]+)\s+(?=([A-Z][a-z’'-]+)\b)")
# Words of roles and bodies, never a person's name. Place and body names come from the cited
# paper's own metadata (its council and committee), not from a list.
_NOT_PERSONAL = set("""Director Directors Executive Assistant Head Cabinet Member Members Chairman Chair
Vice Committee Board Council County Borough District City Town Parish Community Service Services
Select Team Partnership Officer Officers The Interim Corporate Department Local Authority Group
Reference Performance Improvement Programme Plan Plans Strategy Scrutiny Panel Commission
Commissioner Agency Annual Monitoring Visit Report Chief Manager Clerk Leader Deputy""".split())
_TITLED = re.compile(r"\b(?:Cllrs?\.?|Councillors?|Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Prof(?:essor)?\.?)\s+"
                     r"(?:[A-Z]\.?\s+){0,3}[A-Z][a-z’'-]+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z’'-]+)+|\b(?:Director|Member|Chairman|Chair|"
                   r"Head|Officer|Commissioner|Manager|Inspector|Cabinet|Board|Committee|Council"
                   r"|Team|Service)\b")
class Answerer(Protocol):
    mode: str

    def answer(self, question: str, query: str, passages: list[Passage]) -> Answer: ...


@dataclass
class Candidate:
    passage: Passage
    unit: "Unit"
    score: float = 0.0


def anchor(label: str) -> str:
    return "p-" + re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def view_url(base: str, doc_id: str, label: str) -> str:
    return f"{base}/papers/{urlquote(doc_id)}/view?paragraph={urlquote(label)}#{anchor(label)}"


def make_citation(ref: int, passage: Passage, quote: str, base_url: str = "") -> Citation:
    m = passage.meta
    return Citation(ref=ref, doc_id=m["doc_id"], title=m.get("title"), doc_type=m.get("doc_type"),
                    council=m.get("council"), committee=m.get("committee"),
                    meeting_date=m.get("meeting_date"), paragraph=m.get("paragraph", ""),
                    quote=quote, url=m.get("url") or m.get("source"),
                    view_url=view_url(base_url, m["doc_id"], m.get("paragraph", "")),
                    page=m.get("page"), boxes=page_boxes(m))


def page_boxes(meta: dict) -> list[list[float]] | None:
    """The cited paragraph's line boxes on the page it starts on (PDF papers only)."""
    if not meta.get("boxes") or not meta.get("page"):
        return None
    return [b[1:] for b in json.loads(meta["boxes"]) if b[0] == meta["page"]]


class VectorCache:
    """Embeddings of answer units, kept between questions: the same sentences come back often,
    and embedding them dominates an extractive answer's time."""

    def __init__(self, embedder: Embedder, size: int = 20_000):
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vectors(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        if missing:
            fresh = self.embedder.embed(missing)
            with self._lock:
                for text, vec in zip(missing, fresh):
                    self._vectors[text] = vec
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                vec = self._vectors.get(t)
                if vec is None:  # evicted by a concurrent request: embed again
                    vec = self.embedder.embed([t])[0]
                else:
                    self._vectors.move_to_end(t)
                out.append(vec)
            return np.stack(out)


@dataclass
class Unit:
    """A sentence or list item of a passage, as an answer would quote it."""

    text: str  # exact words of the passage (markers and label stripped)
    quote: str  # what the citation quotes (a list quotes its lead-in and items)
    display: str  # what the answer shows
    kind: str = "sentence"  # sentence | lead | item


def _logical_lines(text: str) -> list[str]:
    """Lines, with a line that carries on the previous one's sentence joined back to it."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and line[:1].islower() and not out[-1].rstrip().endswith((".", ":", "!", "?")) \
                and not _BULLET_START.match(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def units_of(passage_text: str) -> list[Unit]:
    """Sentences and list items. A line that introduces a list ("...the following:") is one
    unit with its items; a short item (a list entry, not a sentence) answers with its list."""
    lines = _logical_lines(passage_text)
    if lines:
        lines[0] = _LABEL_PREFIX.sub("", lines[0], count=1)
    is_item = [bool(_BULLET_START.match(ln)) for ln in lines]
    units: list[Unit] = []
    lead: Unit | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_item[i]:
            text = _MARKER.sub("", line, count=1).strip()
            if text and lead is not None and len(text) < 60:
                units.append(Unit(text, lead.quote, lead.display, "item"))
            elif text:
                units.append(Unit(text, text, text, "item"))
            i += 1
            continue
        k = i + 1
        while k < len(lines) and is_item[k]:
            k += 1
        if line.rstrip().endswith(":") and k > i + 1:
            items = [_MARKER.sub("", ln, count=1).strip() for ln in lines[i + 1:k]]
            quote = " ".join([line] + [" ".join(ln.split()) for ln in lines[i + 1:k]])
            display = line + "\n" + "\n".join(f"- {x}" for x in items if x)
            lead = Unit(line, quote, display, "lead")
            units.append(lead)
            i += 1
            continue
        lead = None
        units.extend(Unit(s, s, s) for s in split_sentences(line) or [line] if len(s) >= 3)
        i += 1
    return units


_INTENTS = [
    (re.compile(r"\bresol|\bdecid|\bdecision|\bagreed\b", re.I), {"resolution"}),
    (re.compile(r"\brecommend", re.I), {"recommendation"}),
    (re.compile(r"\bactions?\b|\basked to\b|\bfurther information\b|\bfollow[- ]up", re.I),
     {"action", "further_information"}),
    (re.compile(r"\bnext steps?\b", re.I), {"next_steps"}),
]


def intents(question: str) -> set[str]:
    """The kinds of block a question is after: "what did they resolve" wants resolutions."""
    return set().union(*(kinds for pattern, kinds in _INTENTS if pattern.search(question)))


def answer_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bhow (many|much|long|often)\b|\bwhat (number|proportion|percentage|share"
                 r"|range|figure)\b|\bnumber of\b", q):
        return "number"
    if re.search(r"\b(what|which|on what) (date|day)\b", q):
        return "day"
    if re.search(r"\bwhen\b|\bwhat (year|month)\b|\bwhich (year|month|meeting)\b"
                 r"|\buntil when\b|\bby when\b", q):
        return "date"
    if re.search(r"\b(what|who) (is|was|are|were) the names? of\b|\bnamed?\b.*\?$", q):
        return "name"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (officer|director|member|person|"
                 r"councillor|chair)", q):
        return "person"
    return None


_HOW_MANY = re.compile(r"\b(?:how many|how much|number of)\s+((?:[\w’'-]+\s*){1,4})", re.I)


def count_focus(question: str) -> set[str]:
    """What a "how many" question counts: "How many case audits had..." -> {case, audit}."""
    m = _HOW_MANY.search(question)
    if not m:
        return set()
    words = []
    for word in m.group(1).split():
        if word.lower() in STOPWORDS or word.lower() in {"did", "had", "were", "was", "have"}:
            break
        words.append(word)
    return set(tokenize(" ".join(words)))


def counts_focus(focus: set[str], text: str) -> bool:
    """A number stands near what is counted: "1088 audits", "4 of these visits"."""
    words = text.split()
    for i, word in enumerate(words):
        word = word.strip(".,;:()")
        if (word[:1].isdigit() or _NUMBER.fullmatch(word)) \
                and set(tokenize(" ".join(words[i + 1:i + 6]))) & focus:
            return True
    return False


def has_type(kind: str | None, text: str, not_names: set[str] = frozenset()) -> bool:
    match kind:
        case "number":
            return bool(_NUMBER.search(text))
        case "date":
            return bool(_DATE_WORDS.search(text))
        case "day":
            return bool(_DAY_MONTH.search(text))
        case "person":
            return bool(_NAME.search(text))
        case "name":
            return bool(_TITLED.search(text)) or any(
                not ({a, b} & (_NOT_PERSONAL | not_names)) for a, b in _TWO_CAPS.findall(text))
        case _:
            return True


def _body_words(meta: dict) -> set[str]:
    """The words of the paper's council and committee names: places and bodies, not people."""
    return set(" ".join(str(meta.get(f) or "") for f in ("council", "committee")).split())


class ExtractiveAnswerer:
    """Scores each sentence of the top passages by meaning (the embedder) and by the
    question's rarer words (IDF-weighted overlap), then quotes the best one or two."""

    mode = "extractive"

    def __init__(self, embedder: Embedder, idf: dict[str, float], default_idf: float,
                 threshold: float, base_url: str = "", passages_considered: int = 5,
                 cache: "VectorCache | None" = None):
        self.embedder = embedder
        self.cache = cache if cache is not None else VectorCache(embedder)
        self.idf = idf
        self.default_idf = default_idf
        self.threshold = threshold
        self.base_url = base_url
        self.passages_considered = passages_considered

    def score(self, question: str, passages: list[Passage], context: str = ""
              ) -> list[Candidate]:
        """Candidates, best first. ``context`` (the earlier question of a follow-up) counts
        half as much as the question itself."""
        cands, seen = [], set()
        for p in passages[: self.passages_considered]:
            for u in units_of(p.text):
                if (p.chunk.id, u.display) not in seen:  # a list's entries answer as the list
                    seen.add((p.chunk.id, u.display))
                    cands.append(Candidate(p, u))
        if not cands:
            return []
        idf = lambda terms: sum(self.idf.get(t, self.default_idf) for t in terms)  # noqa: E731
        q_terms = set(tokenize(question))
        c_terms = set(tokenize(context)) - q_terms
        q_weight = (idf(q_terms) + 0.5 * idf(c_terms)) or 1.0
        kind, wanted = answer_type(question), intents(question)
        focus = count_focus(question)
        # Words the papers never use: a name ("Kent") means the papers cannot be about it; other
        # words weaken the evidence a little (paraphrases use them too).
        unknown_names = {t for w in _PROPER.findall(question) if w.lower() not in _NOT_NAMES
                         for t in tokenize(w)} - set(self.idf)
        missing = min(0.15, 0.05 * len({t for t in q_terms if t not in self.idf}))
        penalty = missing + (0.30 if unknown_names else 0.0)
        texts = [question] + ([f"{context} {question}"] if context else [])
        q_vec = self.embedder.embed(texts).mean(axis=0)
        sims = self.cache.vectors([c.unit.display for c in cands]) @ q_vec
        for c, sim in zip(cands, sims):
            m = c.passage.meta
            own = set(tokenize(c.unit.display))
            meta = set(tokenize(" ".join(str(m.get(f) or "") for f in (
                "heading", "title", "council", "committee", "meeting_date")))) - own
            overlap = (idf(q_terms & own) + 0.5 * idf(c_terms & own)
                       + 0.5 * idf(q_terms & meta)) / q_weight
            novelty = len(own - q_terms) / max(len(own), 1)  # an answer adds to the question
            block = m.get("kind") in wanted or ("action" in wanted and "ACTION" in c.unit.text)
            c.score = 0.45 * float(sim) + 0.35 * min(overlap, 1.0) + 0.20 * c.passage.dense \
                + 0.05 * novelty - 0.01 * c.passage.rank + (0.10 if block else 0.0) \
                - (0.0 if has_type(kind, c.unit.display, _body_words(m)) else 0.15) \
                - (0.15 if focus and not counts_focus(focus, c.unit.display) else 0.0) \
                - (0.10 if _REPORTED_QUESTION.search(c.unit.text) else 0.0) - penalty
        return sorted(cands, key=lambda c: -c.score)

    def answer(self, question: str, query: str, passages: list[Passage]) -> Answer:
        ranked = self.score(question, passages, context=query.removesuffix(question).strip())
        if not ranked or ranked[0].score < self.threshold:
            conf = ranked[0].score if ranked else 0.0
            return Answer(answer=NOT_IN_PAPERS, abstained=True, confidence=round(conf, 4))
        best = ranked[0]
        chosen = [best]
        for c in ranked[1:4]:  # a second paragraph when it is nearly as good
            if c.score >= 0.92 * best.score and c.passage.chunk.id != best.passage.chunk.id \
                    and c.score >= self.threshold:
                chosen.append(c)
                break
        citations, lines = [], []
        for ref, c in enumerate(chosen, 1):
            citations.append(make_citation(ref, c.passage, c.unit.quote, self.base_url))
            lines.append(f"{c.unit.display} [{ref}]")
        return Answer(answer="\n".join(lines), abstained=False, citations=citations,
                      confidence=round(best.score, 4), mode="extractive")


def best_quote(text: str, passage: Passage) -> str:
    """The passage sentence that shares most words with ``text``: an LLM sentence's quote."""
    sentences = [u.text for u in units_of(passage.text)] or [passage.text]
    words = set(tokenize(text))
    scores = [len(words & set(tokenize(s))) for s in sentences]
    return sentences[int(np.argmax(scores))]
