"""Reading a question as councillors type it, against what is indexed: short forms the papers
define ("Kent County Council (KCC)"), short forms of the indexed councils' and committees' names
("glos", "ayton cc"), misspelt words one edit from a word the papers use, and the meeting a
question names ("in Jan 2018", "july 08", "at last Thursday's meeting").

Everything here is learnt from the store: the papers' own definitions, their metadata and their
vocabulary. Nothing names a council, a committee or a topic."""

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.meeting import MONTHS

_MONTHS = {**MONTHS, "sep": 9}  # the reader's month words ("jan", "sept"), and "sep"
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+)?({_MONTH})\.?\b(?:\s+(\d{{1,2}})(st|nd|rd|th)?\b)?"
    rf"(?:,?\s+('?\d{{2}}|\d{{4}})\b)?", re.I)
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_LAST_WEEKDAY = re.compile(r"\b(?:last|this|on|at)\s+(" + "|".join(_WEEKDAYS) + r")(?:'s)?\b",
                           re.I)
_LATEST = re.compile(r"\b(?:last|latest|most recent|previous)\s+(?:\w+\s+){0,2}?meeting\b", re.I)
_THIS_YEAR = re.compile(r"\b(this|last) year\b", re.I)
_ACRONYM_DEF = re.compile(r"((?:[A-Z][\w’'&-]*,?\s+(?:(?:and|of|the|for|in|&)\s+){0,2}){1,7})"
                          r"\(\s*([A-Z][A-Za-z&]{1,7})\s*\)")
_SMALL = {"and", "of", "the", "for", "in", "&", "on"}
# "Kent County Council", "hove city council": the word before a council's kind names the place
_COUNCIL_NAMED = re.compile(r"\b([a-z][\w'’-]*)\s+((?:(?:county|borough|district|city|town|"
                            r"parish|community|metropolitan|unitary)\s+){0,2}council)\b", re.I)
_NOT_PLACES = {"our", "their", "your", "my", "this", "that", "which", "what", "whose", "each",
               "every", "any", "a", "an", "its", "full", "whole", "new", "local", "next", "same"}
# "M&S" typed for "Manordeilo & Salem": two initials joined by "&"; and in a name, the words
_AMPERSAND = re.compile(r"\b([a-z])\s?&\s?([a-z])\b", re.I)
_AMPERSAND_NAME = re.compile(r"\b([a-z])[\w'’-]*\s+(?:&|and)\s+([a-z])[\w'’-]*", re.I)
_WORD = re.compile(r"[a-z][a-z'’-]*[a-z]|[a-z]", re.I)


@dataclass(frozen=True)
class DateSpec:
    """A meeting date a question names, as far as it names it."""

    year: int | None
    month: int | None = None
    day: int | None = None

    def matches(self, iso: str | None) -> bool:
        if not iso:
            return False
        y, m, d = (int(x) for x in iso.split("-"))
        return (self.year in (None, y) and self.month in (None, m) and self.day in (None, d)
                and (self.year, self.month, self.day) != (None, None, None))


@dataclass
class Lexicon:
    """What the indexed papers teach about the words questions use."""

    vocab: set[str] = field(default_factory=set)  # the index's (stemmed) words
    short_forms: dict[str, list[str]] = field(default_factory=dict)  # "kcc" -> readings,
    # commonest first: ["Kent County Council"]
    name_words: dict[str, str] = field(default_factory=dict)  # "gloucestershire" -> field
    names: set[str] = field(default_factory=set)  # the councils' and committees' full names
    name_count: dict[str, int] = field(default_factory=dict)  # names holding each name word
    bodies: dict[str, dict] = field(default_factory=dict)  # doc_id -> council/committee/date



def _ampersand(m: re.Match) -> str:
    return f"{m.group(1)}&{m.group(2)}".lower()


def initials(words: list[str], skip_small: bool = True) -> str:
    return "".join(w[0] for w in words if w and not (skip_small and w.lower() in _SMALL)).lower()


def defined_short_forms(text: str) -> dict[str, str]:
    """"... Kent County Council (KCC) ..." -> {"kcc": "Kent County Council"}: a bracketed short
    form whose letters are the initials of the words just before it."""
    out = {}
    for m in _ACRONYM_DEF.finditer(text):
        words, short = m.group(1).split(), m.group(2)
        letters = re.sub(r"[^a-z]", "", short.lower())
        for start in range(len(words)):
            span = [w.strip(",") for w in words[start:]]
            if span[0].lower() in _SMALL:
                continue
            if initials(span) == letters or initials(span, skip_small=False) == letters:
                out.setdefault(short.lower(), " ".join(span))
                break
    return out


def short_forms_in(text: str) -> list[tuple[str, str]]:
    """A text's defined short forms as (short form, full name) pairs (each counted once)."""
    return list(defined_short_forms(text).items()) if "(" in text else []


def build_lexicon(chunks, vocab: set[str], records: dict[str, dict],
                  defined: Counter | None = None) -> Lexicon:
    """The lexicon of what is indexed: the papers' defined short forms (``defined``, counted
    over the chunks, when already counted), the initials of their councils' and committees'
    names, and the words that tell those names apart."""
    lex = Lexicon(vocab=set(vocab))
    if defined is None:
        defined = Counter(pair for c in chunks for pair in short_forms_in(c.text))
    names: dict[str, set[str]] = {"council": set(), "committee": set()}
    for doc_id, rec in sorted(records.items()):
        lex.bodies[doc_id] = {k: rec.get(k) for k in ("council", "committee", "meeting_date")}
        for f in names:
            if rec.get(f):
                names[f].add(rec[f])
                lex.names.add(rec[f])
    derived: Counter = Counter()
    for f, values in names.items():
        counts = Counter(w for name in values for w in {w.lower() for w in _WORD.findall(name)})
        for name in sorted(values):
            words = _WORD.findall(name)
            for short in {initials(words), initials(words, skip_small=False)}:
                if len(short) >= 2:
                    derived[(short, name)] += 1
            # "M&S" for "Manordeilo & Salem Community Council": the two joined words' initials
            for m in _AMPERSAND_NAME.finditer(name):
                derived[(_ampersand(m), name)] += 1
            # "Community Council" in "Ayton Community Council": "cc" after the place's name
            for i in range(1, len(words) - 1):
                tail = initials(words[i:])
                if len(tail) >= 2:
                    derived[(tail, " ".join(words[i:]))] += 1
                    lex.names.add(" ".join(words[i:]))
        for word, n in sorted(counts.items()):
            # a word in under half of the names tells them apart (a place, a service)
            if word not in _SMALL and len(word) >= 3 and (n == 1 or n < len(values) / 2):
                lex.name_words.setdefault(word, f)
                lex.name_count[word] = n
    # the papers' own definitions first, then the names'; the commonest reading of each
    for table in (defined, derived):
        for (short, full), _n in sorted(table.items(), key=lambda kv: (-kv[1], kv[0])):
            readings = lex.short_forms.setdefault(short, [])
            if full not in readings:
                readings.append(full)
    return lex


def abbreviates(short: str, word: str) -> bool:
    """"glos" for "gloucestershire": the same first letter, then the short form's letters in
    order."""
    if short[:1] != word[:1] or len(short) >= len(word):
        return False
    rest = iter(word)
    return all(ch in rest for ch in short)


def _edits(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return ({a + b[1:] for a, b in splits if b}
            | {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
            | {a + c + b[1:] for a, b in splits if b for c in letters}
            | {a + c + b for a, b in splits for c in letters})


@dataclass
class Reading:
    """A question as Clerk reads it."""

    question: str
    expansions: list[str] = field(default_factory=list)  # words added to the search
    dates: list[DateSpec] = field(default_factory=list)
    names: dict[str, set[str]] = field(default_factory=dict)  # field -> distinctive words named
    naming: list[str] = field(default_factory=list)  # words that name the meeting, not the topic
    unknown: list[str] = field(default_factory=list)  # councils named that no paper mentions

    @property
    def query(self) -> str:
        """What is searched: the question and what its short forms stand for."""
        return " ".join([self.question, *self.expansions])

    def date_match(self, iso: str | None) -> int:
        """1: the paper's meeting is the one named; -1: a dated paper of another meeting;
        0: the question names no meeting date, or the paper prints none."""
        if not self.dates or not iso:
            return 0
        return 1 if any(d.matches(iso) for d in self.dates) else -1

    def name_match(self, body: dict, fld: str) -> int:
        """1: the paper's council (or committee) is the one named; -1: another one; 0: none
        named, or the paper's is unknown."""
        named = self.names.get(fld)
        value = (body.get(fld) or "").lower()
        if not named or not value:
            return 0
        words = {w.lower() for w in _WORD.findall(value)}
        return 1 if named & words else -1


def _year(text: str | None) -> int | None:
    if not text:
        return None
    text = text.lstrip("'")
    value = int(text)
    return value + 2000 if len(text) == 2 and value < 70 else value + 1900 if len(text) == 2 \
        else value


def named_dates(question: str, scope: list[dict], naming: list[str]) -> list[DateSpec]:
    """The meeting dates a question names. "jun 16" is June 2016 when a meeting of June 2016 is
    indexed (else the 16th of June); a relative date is read against the latest meeting
    indexed (of the council named, when one is)."""
    dates: list[DateSpec] = []
    indexed = [b["meeting_date"] for b in scope if b.get("meeting_date")]
    for m in _DAY_MONTH_YEAR.finditer(question):
        day, month_word, after, suffix, year = m.groups()
        naming.append(m.group(0))
        if month_word.lower() == "may" and not (day or after or year):
            continue  # "may" is mostly a verb
        if month_word.lower() == "mar" and not (day or after or year):
            continue
        month = _MONTHS[month_word.lower()]
        d = int(day) if day else None
        y = _year(year)
        if after and not suffix and d is None and y is None:
            as_year = _year(after)
            if any(DateSpec(as_year, month).matches(i) for i in indexed) or int(after) > 31:
                y = as_year
            else:
                d = int(after)
        elif after and d is None:
            d = int(after)
        if d is not None and not 1 <= d <= 31:
            d = None
        dates.append(DateSpec(y, month, d))
    for m in _NUMERIC.finditer(question):
        try:
            day = dt.date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            continue
        dates.append(DateSpec(day.year, day.month, day.day))
    covered = {d.year for d in dates}
    naming += _YEAR.findall(question) + [m.group(0) for m in _NUMERIC.finditer(question)]
    dates += [DateSpec(int(y)) for y in _YEAR.findall(question) if int(y) not in covered]
    latest = max(indexed) if indexed else None
    if latest:
        ref = dt.date.fromisoformat(latest)
        if m := _LAST_WEEKDAY.search(question):
            back = (ref.weekday() - _WEEKDAYS.index(m.group(1).lower())) % 7
            day = ref - dt.timedelta(days=back)
            dates.append(DateSpec(day.year, day.month, day.day))
        elif _LATEST.search(question) and not dates:
            dates.append(DateSpec(ref.year, ref.month, ref.day))
        if m := _THIS_YEAR.search(question):
            dates.append(DateSpec(ref.year - (m.group(1).lower() == "last")))
    return list(dict.fromkeys(dates))


def read_question(question: str, lex: Lexicon, tokenize,
                  papers_match: Callable[[str, list[str]], float] | None = None) -> Reading:
    """The question's short forms expanded, misspellings corrected and the council, committee
    and meeting date it names picked out. ``papers_match(text, doc_ids)`` says how well the
    best paragraph of those papers matches the text (BM25): it picks between the readings of a
    short form two councils share when nothing else does."""
    reading = Reading(question)
    names: dict[str, set[str]] = {}
    words = [(raw, raw.lower().replace("’", "'").removesuffix("'s"))
             for raw in _WORD.findall(question)]
    words += [(m.group(0), _ampersand(m)) for m in _AMPERSAND.finditer(question)
              if _ampersand(m) in lex.short_forms]  # "m&s" for "Manordeilo & Salem ..."
    named = {w for _, w in words if w in lex.name_words}
    for raw, word in words:
        if word in lex.short_forms and (raw.isupper() or "&" in word or tokenize(word)):
            # (a short form, but not "as" or "on")
            full = _reading_of(lex.short_forms[word], named, lex, question, papers_match)
            reading.expansions.append(full)
            if full in lex.names:  # "KCC": a council's name
                reading.naming += [word, full]
            for w in _WORD.findall(full):
                if (f := lex.name_words.get(w.lower())):
                    names.setdefault(f, set()).add(w.lower())
            continue
        if word in lex.name_words:
            names.setdefault(lex.name_words[word], set()).add(word)
            reading.naming.append(word)
            continue
        stems = tokenize(word)
        if not stems or set(stems) & lex.vocab:
            continue
        if len(word) >= 3:  # "glos": a short form of one distinctive name word
            starts = [w for w in lex.name_words if w != word and abbreviates(word, w)]
            if len(starts) == 1:
                reading.expansions.append(starts[0])
                names.setdefault(lex.name_words[starts[0]], set()).add(starts[0])
                reading.naming += [word, starts[0]]
                continue
        if len(stems[0]) >= 5:  # "tresurers": one edit from a word the papers use
            near = sorted(e for e in _edits(stems[0]) if e in lex.vocab)
            if len(near) == 1:
                reading.expansions.append(near[0])
    # "ayton cc's last meeting": of the words naming a council, the rarest name it
    names = {f: {w for w in ws if lex.name_count.get(w, 1) == min(lex.name_count.get(v, 1)
                                                                   for v in ws)}
             for f, ws in names.items()}
    reading.names = names
    reading.unknown = unknown_councils(question, lex, tokenize, reading)
    scope = [b for b in lex.bodies.values() if reading.name_match(b, "council") == 1]
    reading.dates = named_dates(question, scope or list(lex.bodies.values()), reading.naming)
    return reading


def unknown_councils(question: str, lex: Lexicon, tokenize, reading: Reading) -> list[str]:
    """The councils a question names ("Kent County Council") whose place word no indexed paper
    uses, spelt or abbreviated: no paper can answer for them. A word the reading already
    resolved ("glos", a misspelling) is known."""
    resolved = {w.lower() for w in reading.naming} | {
        w.lower() for e in reading.expansions for w in _WORD.findall(e)}
    out = []
    for m in _COUNCIL_NAMED.finditer(question):
        word = m.group(1).lower().replace("’", "'").removesuffix("'s")
        stems = tokenize(word)
        # "the full council", "our council": a place is named only before a council's kind
        # ("county council") or written with a capital ("Surrey Council")
        if " " not in m.group(2).strip() and not m.group(1)[:1].isupper():
            continue
        if (word in _SMALL or word in _NOT_PLACES or word in resolved or not stems
                or set(stems) & lex.vocab):
            continue
        # a misspelt name of an indexed council ("glouchestershire") is that council
        if len(word) >= 5 and any(e in lex.name_words for e in _edits(word)):
            continue
        out.append(f"{m.group(1)} {m.group(2)}")
    return out


def _reading_of(readings: list[str], named: set[str], lex: Lexicon, question: str,
                papers_match: Callable[[str, list[str]], float] | None = None) -> str:
    """Of a short form's readings, one that an indexed name shares with a word the question
    names ("ayton cc": Ayton Community Council's "Community Council"); else the one whose
    papers hold a meeting on the date the question names ("tcc may 2019", where two councils
    read "tcc"); else the one whose papers alone hold the question's other words best ("tcc
    a466 closure": the council whose minutes discuss the A466); else the commonest."""
    def papers_of(full):
        return [d for d, b in lex.bodies.items()
                if any(v and full in v for v in (b.get("council"), b.get("committee")))]

    def bodies_of(full):
        return [lex.bodies[d] for d in papers_of(full)]
    for full in readings:
        for body in bodies_of(full):
            for value in (body.get("council"), body.get("committee")):
                if value and full in value and named & {w.lower() for w in _WORD.findall(value)}:
                    return full
    dates = named_dates(question, list(lex.bodies.values()), []) if len(readings) > 1 else []
    if dates:
        on_date = [full for full in readings if any(d.matches(b.get("meeting_date"))
                                                    for b in bodies_of(full) for d in dates)]
        if len(on_date) == 1:
            return on_date[0]
    if papers_match and len(readings) > 1:
        scores = [papers_match(question, papers_of(full)) for full in readings]
        best = max(scores)
        if best > 0 and scores.count(best) == 1:
            return readings[scores.index(best)]
    return readings[0]
