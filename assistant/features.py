"""What the answer scorer knows about each candidate answer: one row of numbers per sentence
(or list) of the passages found. The weights of these features are fitted (``clerk eval
--fit``) and live in ``assistant/answer_model.json``; nothing here is a weight."""

import math
import re
from dataclasses import dataclass

import numpy as np

from assistant.retrieve import tokenize
from assistant.understand import Reading

FEATURES = (
    "sim",  # cosine of the sentence and the question
    "sim_gap",  # ... less the best sentence's
    "passage_sim",  # cosine of its paragraph and the question
    "overlap",  # share of the question's rarer words (IDF-weighted) in the sentence
    "overlap_gap",  # ... less the best sentence's
    "overlap_context",  # ... in its paragraph, heading, paper title and meeting
    "lexical",  # the paragraph's BM25 score over the best paragraph's
    "rank",  # 1 / (1 + the paragraph's place in the fused ranking)
    "novelty",  # share of the sentence's words the question does not use
    "after_echo",  # overlap of the sentence just before it: an answer follows its question
    "title_like",  # a heading or agenda line ("Election of Chairman"), not a statement
    "intent",  # a resolution for "what did they decide", an action for "who must report"
    "type_miss",  # the question wants a number, date or person and the sentence has none
    "focus_miss",  # "how many X" and no number stands next to an X
    "focus_hit",  # "how many X" and a number stands next to an X ("1088 audits")
    "type_hit",  # the question wants a number, date or person and the sentence has one
    "reported_question",  # "Members asked whether...": a question, not an answer
    "length",  # log words
    "listed",  # a list, or an item of one
    "first",  # the paragraph's first sentence
    "uncovered",  # share of the question's topic (IDF-weighted) in none of the passages found
    "unknown_words",  # share of the question's words the papers never use
    "unknown_name",  # the question names something (a capitalised word) the papers never do
    "date_match",  # the paper's meeting is on the date the question names
    "date_other",  # the paper's meeting is on another date
    "council_match",  # the paper's council is the one named
    "council_other",  # ... another council is named
    "committee_match",
    "committee_other",
    "new_value",  # a value of the kind asked for (a number, date, name) the question does not hold
    "echo_top",  # the sentence of its paragraph that repeats most of the question
    "after_top",  # the sentence just after that one: what the paragraph says about it
    "decision",  # a decision or a view ("resolved", "agreed", "no objection", "deferred")
    "yes_no_decision",  # ... for a yes-or-no question ("did they approve...?", "is X going ahead?")
)

_NUMBER = re.compile(r"\b(?!(?:19|20)\d\d\b)\d[\d,.]*%?|£\s?\d|\b(?:one|two|three|four|five|six|"
                     r"seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
                     r"thousand|half|quarter|dozen|all|none|majority)\b", re.I)
_SHARE = re.compile(r"\d%|\bper ?cent\b|\b(?:half|third|quarter|majority|minority|most|"
                    r"all|none)\b|\b\d+ (?:in|out of|of) (?:every )?\d+\b", re.I)
_DAY_MONTH = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:&\s+\d{1,2}\s+)?(?:january|february|"
                        r"march|april|may|june|july|august|september|october|november|december|"
                        r"jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b|"
                        r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b", re.I)
_DATE_WORDS = re.compile(r"\b(?:19|20)\d\d\b|\b(?:january|february|march|april|may|june|july|"
                         r"august|september|october|november|december|spring|summer|autumn|"
                         r"winter|year|month|week|meeting|\d{1,2}[ap]m|\d{1,2}[.:]\d\d)\b", re.I)
_REPORTED_QUESTION = re.compile(r"\b(?:asked|questioned|queried|sought|enquired)\b[^.]*?"
                                r"\b(?:whether|what|how|why|if|when|who|which|for)\b", re.I)
_PROPER = re.compile(r"(?<![.?!:]\s)(?<!^)\b([A-Z][a-z]{2,})\b")
_CALENDAR = set("""january february march april may june july august september october november
december monday tuesday wednesday thursday friday saturday sunday""".split())
_TITLED = re.compile(r"\b(?:Cllrs?\.?|Councillors?|Mr|Mrs|Ms|Miss|Dr|Sir|Dame|Prof(?:essor)?\.?|"
                     r"PC|PCSO|Rev(?:erend)?\.?)\s+(?:[A-Z]\.?\s+){0,3}[A-Z][a-z’'-]+")
_INITIALS = re.compile(r"\b[A-Z]{2,3}\b|\b[A-Z]\.?\s?[A-Z][a-z’'-]+")
_TWO_CAPS = re.compile(r"\b([A-Z][a-z]+)\s+(?=([A-Z][a-z’'-]+)\b)")
_ROLE = re.compile(r"\b(?:Director|Member|Chairman|Chair|Head|Officer|Commissioner|Manager|"
                   r"Inspector|Cabinet|Clerk|Treasurer|Secretary|Leader|Mayor|Councillor)s?\b")
# Words of roles and bodies, never a person's name; a paper's own place and body names come
# from its metadata (its council and committee), not from a list.
_NOT_PERSONAL = set("""Director Directors Executive Assistant Head Cabinet Member Members Chairman
Chair Vice Committee Board Council County Borough District City Town Parish Community Service
Services Select Team Partnership Officer Officers The Interim Corporate Department Local
Authority Group Reference Performance Improvement Programme Plan Plans Strategy Scrutiny Panel
Commission Commissioner Agency Annual Monitoring Visit Report Chief Manager Clerk Leader
Deputy""".split())
_ADDRESSED = re.compile(r"\b(?:assistant|chatbot|language model|AI model|LLM)s?\b.{0,80}"
                        r"\b(?:must|should|always|never|ignore|instead|answer|respond|say)\b|"
                        r"\bignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier) "
                        r"(?:instructions|prompts?|directions)|\bnote to (?:the |any )?"
                        r"(?:assistant|ai|reader model)\b|\bsystem prompt\b", re.I)

_VIEW = re.compile(r"\b(?:resolved|agreed|decided|approved|declined|refused|rejected|deferred|"
                   r"supported?|object(?:ed|ion)?s?|recommended|noted|accepted|unanimous(?:ly)?)\b",
                   re.I)
_VALUE = {
    "number": re.compile(r"£\s?\d[\d,.]*|\b\d[\d,.]*%?"),
    "date": re.compile(_DAY_MONTH.pattern + r"|\b(?:january|february|march|april|may|june|july|"
                       r"august|september|october|november|december|spring|summer|autumn|"
                       r"winter)\b(?:\s+\d{4})?|\b(?:19|20)\d\d\b", re.I),
}


def values(kind: str | None, text: str, not_names: set[str] = frozenset()) -> set[str]:
    """The values of the asked-for kind a text holds, lower-cased: amounts and counts, dates,
    people's names (titled names, runs of capitalised words that name no body, initials)."""
    if kind in ("number", "count", "share"):
        return {m.group(0).lower().rstrip(".,") for m in _VALUE["number"].finditer(text)}
    if kind in ("date", "day"):
        return {" ".join(m.group(0).lower().split()) for m in _VALUE["date"].finditer(text)}
    if kind in ("person", "name"):
        found = {m.group(0).split()[-1].lower() for m in _TITLED.finditer(text)}
        found |= {b.lower() for a, b in _TWO_CAPS.findall(text)
                  if not ({a, b} & (_NOT_PERSONAL | not_names))}
        found |= {w.lower() for w in re.findall(r"\b[A-Z]{2,3}\b", text)}
        return found
    return set()


# a question answered yes or no, at its start or after a lead-in ("bench outside X - is it...")
_YES_NO = re.compile(r"(?:^|[-:,;–]\s*)(?:did|does|do|is|are|was|were|will|has|have|had|can|"
                     r"could|would|should)\b", re.I)
_INTENTS = [
    (re.compile(r"\bresol|\bdecid|\bdecision|\bagreed?\b|\bapprov|\bvoted?\b", re.I),
     {"resolution"}),
    (re.compile(r"\brecommend", re.I), {"recommendation"}),
    (re.compile(r"\bactions?\b|\basked to\b|\bfurther information\b|\bfollow[- ]up|"
                r"\breport back\b", re.I), {"action", "further_information"}),
    (re.compile(r"\bnext steps?\b", re.I), {"next_steps"}),
]
_DECISION = re.compile(r"\b(?:RESOLVED|AGREED|DECIDED|DECISION)\b|\b(?:resolved|agreed|"
                       r"decided|approved|voted)\b")


def intents(question: str) -> set[str]:
    """The kinds of block a question is after: "what did they resolve" wants resolutions."""
    return set().union(*(kinds for pattern, kinds in _INTENTS if pattern.search(question)))


def answer_type(question: str) -> str | None:
    q = question.lower()
    if re.search(r"\bwhat (proportion|percentage|share|fraction)\b|\bwhat per ?cent", q):
        return "share"
    if re.search(r"\bhow many\b|\bwhat number\b|\bnumber of\b", q):
        return "count"
    if re.search(r"\bhow (much|long|often)\b|\bwhat (range|figure|amount|sum|cost|price|fee|"
                 r"rate|balance)s?\b|\bcost(s|ing)?\b", q):
        return "number"
    if re.search(r"\b(what|which|on what) (date|day)\b", q):
        return "day"
    if re.search(r"\bwhen\b|\bwhat (year|month|time)\b|\bwhich (year|month|meeting)\b"
                 r"|\buntil when\b|\bby when\b", q):
        return "date"
    if re.search(r"\b(what|who) (is|was|are|were) the names? of\b|\bnamed?\b.*\?$", q):
        return "name"
    if re.search(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich (officer|director|member|person|"
                 r"councillor|cllr|chair)", q):
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
        if not tokenize(word) or word.lower() in {"did", "had", "were", "was", "have"}:
            break
        words.append(word)
    return set(tokenize(" ".join(words)))


def counts_focus(focus: set[str], text: str, kind: str | None = None) -> bool:
    """A number stands next to what is counted: "1088 audits", "4 of these visits"; for a count,
    not a percentage ("7% of audits" is a share of them)."""
    words = text.split()
    for i, word in enumerate(words):
        word = word.strip(".,;:()")
        if kind == "count" and word.endswith("%"):
            continue
        if (word[:1].isdigit() or _NUMBER.fullmatch(word) or word[:1] == "£") \
                and set(tokenize(" ".join(words[i + 1:i + 5]))) & focus:
            return True
    return False


def has_type(kind: str | None, text: str, not_names: set[str] = frozenset()) -> bool:
    match kind:
        case "number":
            return bool(_NUMBER.search(text))
        case "count":  # a number of things, not a share of them
            return any(not m.group(0).endswith("%") for m in _NUMBER.finditer(text))
        case "share":
            return bool(_SHARE.search(text))
        case "date":
            return bool(_DATE_WORDS.search(text) or _DAY_MONTH.search(text))
        case "day":
            return bool(_DAY_MONTH.search(text))
        case "person":
            return bool(_TITLED.search(text) or _ROLE.search(text) or _INITIALS.search(text)
                        or has_type("name", text, not_names))
        case "name":
            return bool(_TITLED.search(text)) or any(
                not ({a, b} & (_NOT_PERSONAL | not_names)) for a, b in _TWO_CAPS.findall(text))
        case _:
            return True


def body_words(meta: dict) -> set[str]:
    """The words of the paper's council and committee names: places and bodies, not people."""
    return set(" ".join(str(meta.get(f) or "") for f in ("council", "committee")).split())


def addressed_to_assistant(text: str) -> bool:
    """A paper sentence written at an assistant, not at the committee: it never answers."""
    return bool(_ADDRESSED.search(text))


@dataclass
class QuestionView:
    """The question-level inputs of the features, worked out once per question."""

    terms: set[str]
    context_terms: set[str]
    weight: float
    kind: str | None
    wanted: set[str]
    focus: set[str]
    unknown_words: float
    unknown_name: bool
    reading: Reading
    asked: set[str]  # the values of the asked-for kind the question itself holds
    yes_no: float  # 1.0: a yes-or-no question


def question_view(question: str, context: str, reading: Reading, idf: dict[str, float],
                  default_idf: float) -> QuestionView:
    # the topic's words: those naming the council, committee or meeting are weighed by the
    # match features, not as words the answer should repeat
    terms = set(tokenize(" ".join([question, *reading.expansions]))) \
        - set(tokenize(" ".join(reading.naming)))
    context_terms = set(tokenize(context)) - terms
    weight = (sum(idf.get(t, default_idf) for t in sorted(terms))
              + 0.5 * sum(idf.get(t, default_idf) for t in sorted(context_terms))) or 1.0
    own = set(tokenize(question))
    names = {t for w in _PROPER.findall(question) if w.lower() not in _CALENDAR
             for t in tokenize(w)}
    known = set(idf) | set(tokenize(" ".join(reading.expansions))) if reading else set(idf)
    return QuestionView(
        terms=terms, context_terms=context_terms, weight=weight, kind=answer_type(question),
        wanted=intents(question), focus=count_focus(question),
        unknown_words=len([t for t in own if t not in known]) / max(len(own), 1),
        unknown_name=bool(names - known), reading=reading,
        asked=values(answer_type(question), f"{context} {question}"),
        yes_no=float(bool(_YES_NO.search(question))))


def feature_rows(view: QuestionView, cands: list, sims: np.ndarray, idf: dict[str, float],
                 default_idf: float) -> np.ndarray:
    """One row of FEATURES per candidate (a Candidate: passage, unit, position)."""
    def weigh(ts) -> float:
        return sum(idf.get(t, default_idf) for t in sorted(ts))

    rows = np.zeros((len(cands), len(FEATURES)), dtype=np.float64)
    if not cands:
        return rows
    top_lexical = max(c.passage.lexical for c in cands) or 1.0
    words: dict[str, set[str]] = {}  # each passage's words, tokenized once
    contexts: dict[str, set[str]] = {}  # ... with its heading's and its paper's
    for c in cands:
        if c.passage.chunk.id not in words:
            m = c.passage.meta
            words[c.passage.chunk.id] = set(tokenize(c.passage.text))
            contexts[c.passage.chunk.id] = words[c.passage.chunk.id] | set(tokenize(" ".join(
                str(m.get(f) or "") for f in ("heading", "title", "council", "committee",
                                              "meeting_date"))))
    found = set().union(*words.values())
    uncovered = weigh(view.terms - found) / view.weight
    col = {name: i for i, name in enumerate(FEATURES)}
    reading = view.reading
    for r, (c, sim) in enumerate(zip(cands, sims, strict=True)):
        p, text = c.passage, c.unit.display
        m = p.meta
        own = set(tokenize(text))
        context = contexts[p.chunk.id]
        overlap = (weigh(view.terms & own) + 0.5 * weigh(view.context_terms & own)) / view.weight
        row = rows[r]
        row[col["sim"]] = float(sim)
        row[col["passage_sim"]] = p.dense
        row[col["overlap"]] = min(overlap, 1.0)
        row[col["overlap_context"]] = min(weigh(view.terms & context) / view.weight, 1.0)
        row[col["lexical"]] = p.lexical / top_lexical
        row[col["rank"]] = 1.0 / (1 + p.rank)
        row[col["novelty"]] = len(own - view.terms) / max(len(own), 1)
        row[col["title_like"]] = float(len(text.split()) <= 10
                                       and not text.rstrip().endswith((".", "!", "?", ":")))
        row[col["intent"]] = float(m.get("kind") in view.wanted
                                   or ("resolution" in view.wanted and bool(_DECISION.search(text)))
                                   or ("action" in view.wanted and "ACTION" in text))
        focused = bool(view.focus) and counts_focus(view.focus, text, view.kind)
        # "how many audits": a count answers it only when it counts audits ("1088 audits"),
        # not any number ("the previous 12 months")
        counted = focused or not (view.kind == "count" and view.focus)
        not_names = body_words(m)
        typed = counted and has_type(view.kind, text, not_names)
        row[col["type_miss"]] = float(view.kind is not None and not typed)
        row[col["type_hit"]] = float(view.kind is not None and typed)
        row[col["focus_miss"]] = float(bool(view.focus) and not focused)
        row[col["focus_hit"]] = float(focused)
        row[col["reported_question"]] = float(bool(_REPORTED_QUESTION.search(c.unit.text)))
        row[col["length"]] = math.log1p(len(text.split()))
        row[col["listed"]] = float(c.unit.kind != "sentence")
        row[col["first"]] = float(c.position == 0)
        row[col["uncovered"]] = uncovered
        row[col["unknown_words"]] = view.unknown_words
        row[col["unknown_name"]] = float(view.unknown_name)
        if reading is not None:
            body = {"council": m.get("council"), "committee": m.get("committee")}
            date = reading.date_match(m.get("meeting_date"))
            row[col["date_match"]], row[col["date_other"]] = date == 1, date == -1
            council = reading.name_match(body, "council")
            row[col["council_match"]], row[col["council_other"]] = council == 1, council == -1
            committee = reading.name_match(body, "committee")
            row[col["committee_match"]] = committee == 1
            row[col["committee_other"]] = committee == -1
        if view.kind is not None:
            row[col["new_value"]] = float(counted and bool(values(view.kind, text, not_names)
                                                           - view.asked))
        row[col["decision"]] = float(bool(_VIEW.search(text)))
        row[col["yes_no_decision"]] = row[col["decision"]] * view.yes_no
    by_place = {(id(c.passage), c.position): r for r, c in enumerate(cands)}
    top: dict[int, int] = {}  # passage -> the row of its sentence that repeats most of the question
    for r, c in enumerate(cands):
        best = top.get(id(c.passage))
        if best is None or rows[r, col["overlap"]] > rows[best, col["overlap"]]:
            top[id(c.passage)] = r
    for r, c in enumerate(cands):
        before = by_place.get((id(c.passage), c.position - 1))
        rows[r, col["after_echo"]] = rows[before, col["overlap"]] if before is not None else 0.0
        rows[r, col["echo_top"]] = float(top[id(c.passage)] == r
                                         and (id(c.passage), c.position + 1) in by_place)
        rows[r, col["after_top"]] = float(before is not None and top[id(c.passage)] == before)
    rows[:, col["sim_gap"]] = rows[:, col["sim"]] - rows[:, col["sim"]].max()
    rows[:, col["overlap_gap"]] = rows[:, col["overlap"]] - rows[:, col["overlap"]].max()
    return rows.round(6)  # the same on every run, whatever order sets were summed in
