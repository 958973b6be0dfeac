"""What a question is read with besides its own words: the question before it, when it
follows one up ("and who has to report back on it?"), the people and bodies the previous
answer named, and the papers it points at (those it names, those the previous answer cited).
Pure functions: the question and the conversation in, what to search with out."""

import re

from assistant.models import Turn
from assistant.understand import Lexicon, Reading

# A follow-up refers back ("it", "they", "that decision") or is too short to stand alone
# ("what about 2019?"); "And which audits were completed?" stands alone.
_FOLLOW_UP = re.compile(r"^(what|how) about\b|\b(it|its|they|them|their|that|this|those|these|"
                        r"he|she|his|her|him|there|then|same)\b", re.IGNORECASE)
_MARKS = re.compile(r"\[\d+\]")
# the people, bodies and things an answer names: capitalised runs not opening a sentence
_ENTITY = re.compile(r"(?<=[a-z,;:] )(?:(?:Cllr|Mr|Mrs|Ms|Dr)\.? )?(?!(?:January|February|March|"
                     r"April|May|June|July|August|September|October|November|December)\b)"
                     r"[A-Z][\w’'-]+(?: (?:of |for |and )?[A-Z][\w’'-]+)*")


def is_follow_up(question: str, conversation: list[Turn]) -> bool:
    return any(t.role == "user" for t in conversation) and bool(
        _FOLLOW_UP.search(question) or len(question.split()) <= 4)


def retrieval_query(question: str, conversation: list[Turn], max_words: int = 100) -> str:
    """A follow-up ("and who has to report back on it?") is read with the question before it
    (its first ``max_words`` words: an earlier turn is not held to the question's limits)."""
    if not is_follow_up(question, conversation):
        return question
    earlier = [t.content for t in conversation if t.role == "user"][-1]
    return f"{' '.join(earlier.split()[:max_words])} {question}"


def answer_entities(question: str, conversation: list[Turn]) -> list[str]:
    """The people, bodies and things the previous answer named, when this question follows it
    up: searched for as well ("who has to report back on it?" after "... the Director ...")."""
    if not is_follow_up(question, conversation) or conversation[-1].role != "assistant":
        return []
    text = _MARKS.sub(" ", conversation[-1].content)
    return list(dict.fromkeys(_ENTITY.findall(text)))[:8]


def cited_papers(question: str, conversation: list[Turn]) -> list[str]:
    """The papers the previous answer cited, when this question follows it up."""
    if not is_follow_up(question, conversation):
        return []
    for turn in reversed(conversation):
        if turn.role == "assistant" and turn.citations:
            return list(dict.fromkeys(c.doc_id for c in turn.citations))
    return []


def named_papers(reading: Reading, lexicon: Lexicon) -> list[str]:
    """The papers of the council, committee and meeting the question names (all it names;
    else any), or none when it names none or they are every paper."""
    checks = [lambda b: reading.date_match(b.get("meeting_date")) == 1] if reading.dates else []
    checks += [lambda b, f=f: reading.name_match(b, f) == 1 for f in reading.names]
    if not checks:
        return []
    bodies = lexicon.bodies
    papers = [d for d, b in bodies.items() if all(check(b) for check in checks)] \
        or [d for d, b in bodies.items() if any(check(b) for check in checks)]
    return sorted(papers) if len(papers) < len(bodies) else []
