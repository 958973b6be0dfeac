"""What a committee resolved, recommended or asked for: register records drawn from labelled
paragraphs. Pure functions: a paragraph's label, kind and text in, record drafts out.

A paragraph of kind resolution, recommendation, action or further_information is one record.
Inside any other paragraph, each inline "ACTION: <owner> to <do something>" is an action record
with that paragraph's label. Next steps are not records: the register holds what a committee
resolved, recommended, actioned or asked to be provided, and "next steps" are officers' plans.
"""

import re
from dataclasses import dataclass

from ingest.labels import match_label
from ingest.structure import DECISION_LINE, clean_text, one_line

RECORD_KINDS = ("resolution", "recommendation", "action", "further_information")

_LIST_NUMBER = re.compile(r"^(?:[-*•·]\s*)?\d{1,3}(?:\.\d{1,2})*\.?\s+(?=\S)")
_BULLET = re.compile(r"^\s*[-*•·▪◦●]\s+")
_INLINE_ACTION = re.compile(r"(?:\bACTIONS?|^(?:[-*•·]\s*)?Action)\s*[:–—-]\s*")
_PREAMBLE = re.compile(r"^(?:it\s+was\s+)?(?:resolved|agreed|recommended|decided)\b\s*"
                       r"(?:[-–—:,]\s*)?", re.IGNORECASE)
_THAT = re.compile(r"^(?:that\s+)?(?:the\s+)?", re.IGNORECASE)
# "The Performance Member Reference Group recommends that ...": who recommends is not the owner.
_RECOMMENDER = re.compile(r"^[A-Z][^.;:]{0,120}?\s+(?:recommends?|requests?|asks?)\s+that\s+"
                          r"(?:the\s+)?")
_VERBS = ("share", "provide", "report", "present", "bring", "circulate", "write", "review",
          "update", "arrange", "work", "consider", "investigate", "explore", "ensure", "prepare",
          "submit", "give", "send", "contact", "meet", "establish", "develop", "confirm",
          "liaise", "organise", "look", "seek", "produce", "undertake", "attend", "return",
          "feed", "identif(?:y|ie)", "suppl(?:y|ie)")
_SUBJECT = re.compile(r"^(?P<subject>[A-Z][^.;:]{0,200}?)\s+(?:(?:is|are|be)\s+(?:asked|requested|"
                      r"invited)\s+)?(?:to\s+)?(?:" + "|".join(_VERBS) + r")(?:e?s)?\b"
                      r"|^(?P<named>[A-Z][^.;:]{0,200}?)\s+to\s+[a-z]+\b")  # "<Name> to check"
_CONNECTORS = {"of", "for", "and", "the", "on", "in", "at", "&"}
_OWNER_SPLIT = re.compile(r",\s+(?:and\s+)?(?:the\s+)?(?=(?:Chairman|Chair|Vice|Director|Head|"
                          r"Cabinet|Executive|Assistant|Deputy|Leader|Member|Chief|Manager|"
                          r"Commissioner)\b)|\s+and\s+the\s+")
_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|"
          r"December)")
_MEETING = re.compile(r"\b(?:at|by|before|to|for)\s+((?:the|a|an|its|their|this|next)\s+"
                      r"[^.;:–—]{0,60}?\bmeeting\b(?:\s+(?:of|in)\s+(?:\d{4}|(?:the\s+)?[A-Z]"
                      r"[\w’']*(?:\s+[A-Z][\w’']*)*))?)")
_BY_DATE = re.compile(r"\b(?:by|before|no later than)\s+((?:the\s+(?:end|start|beginning|middle)"
                      r"\s+of\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:\s+\d{4})?|"
                      + _MONTH + r"(?:\s+\d{4})?|(?:the\s+)?(?:spring|summer|autumn|winter)"
                      r"(?:\s+(?:of\s+)?\d{4})?|\d{4}))\b")
_WITHIN = re.compile(r"\bwithin\s+(?:\w+\s+){0,2}(?:days?|weeks?|months?)\b")


@dataclass(frozen=True)
class RecordDraft:
    """One register entry as the paper prints it; ``n`` counts records within the paragraph."""

    kind: str
    label: str
    text: str
    owners: tuple[str, ...] = ()
    due: str | None = None
    n: int = 1
    context: str | None = None  # an inline ACTION's whole line: what "relevant data" is about

    @property
    def owner(self) -> str | None:
        return "; ".join(self.owners) or None


def extract_records(paragraph_label: str, kind: str | None, text: str) -> list[RecordDraft]:
    """The records a paragraph holds: itself when its kind is a record kind, else its inline
    ACTION items (none for next steps or plain text without them)."""
    body = clean_text(text)
    if kind in RECORD_KINDS:
        record = one_line(_LIST_NUMBER.sub("", decision_of(body), count=1))
        if not record:
            return []
        return [RecordDraft(kind, paragraph_label, record, owners_of(record), due_of(record))]
    return [RecordDraft("action", paragraph_label, item, owners_of(item), due_of(item), n, line)
            for n, (item, line) in enumerate(inline_actions(body), 1)]


def decision_of(body: str) -> str:
    """A minute's decision: from its "RESOLVED…"/"AGREED"/"DECISION:" line through the items
    listed under it. What follows as prose (a member's update, the next discussion) is not
    part of the decision. A paragraph that opens with its decision is all decision."""
    lines = body.split("\n")
    marked = [i for i, ln in enumerate(lines)
              if DECISION_LINE.match(_LIST_NUMBER.sub("", ln, count=1))]
    if not marked or marked[0] == 0:
        return body
    out = [lines[marked[0]]]
    for line in lines[marked[0] + 1:]:
        if not (_LIST_NUMBER.match(line) or _BULLET.match(line) or match_label(line)):
            break
        out.append(line)
    return "\n".join(out)


def inline_actions(text: str) -> list[tuple[str, str]]:
    """(item, line) for each "ACTION: ..." item: its text runs to the end of its line or the
    next ACTION; the line (bullet marker dropped) is its context."""
    items = []
    for line in text.splitlines():
        marks = list(_INLINE_ACTION.finditer(line))
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(line)
            item = line[m.end():end].strip().rstrip(";,–—- ").strip()
            if item:
                items.append((item, _BULLET.sub("", line, count=1).strip()))
    return items


def owners_of(text: str) -> tuple[str, ...]:
    """The officers, roles or bodies a record asks to act ("That the Director of X share ..."),
    or () when it names none ("That the Committee is satisfied ...")."""
    return _split_owner(text)[0]


def subject_of(text: str) -> str:
    """What a record is about: its words after the owner ("share the findings of the review
    of ..."), or all of it when it names no owner."""
    return _split_owner(text)[1]


def _split_owner(text: str) -> tuple[tuple[str, ...], str]:
    rest = _PREAMBLE.sub("", text.strip(), count=1)
    rest = _THAT.sub("", rest, count=1)
    rest = _RECOMMENDER.sub("", rest, count=1)
    m = _SUBJECT.match(rest)
    if not m:
        return (), text
    group = "subject" if m.group("subject") else "named"
    owners = tuple(p.strip(" ,") for p in _OWNER_SPLIT.split(m.group(group)) if p.strip(" ,"))
    if not owners or not all(_looks_like_owner(o) for o in owners):
        return (), text
    return owners, rest[m.end(group):].strip()


def _looks_like_owner(name: str) -> bool:
    """A name or role: capitalised words joined by small words ("Head of Children’s Services")."""
    words = name.replace(",", " ").split()
    return bool(words) and words[0][0].isupper() and len(words) <= 16 and all(
        w[0].isupper() or w[0].isdigit() or w.lower() in _CONNECTORS for w in words)


def due_of(text: str) -> str | None:
    """When the record is due, as printed ("the Board’s October meeting", "31 March 2022",
    "within two weeks"), or None when the paper gives no time."""
    found = [(m.start(), m.group(1)) for pattern in (_MEETING, _BY_DATE) for m in
             pattern.finditer(text)]
    found += [(m.start(), m.group(0)) for m in _WITHIN.finditer(text)]
    return min(found)[1].strip() if found else None
