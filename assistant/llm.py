"""Answering with an LLM (any OpenAI-compatible endpoint, through LangChain), then checking the
answer against the sources before anyone sees it.

The check: markers that point nowhere are removed; a sentence with no valid marker is dropped;
every number, date and proper name in a sentence must appear in a passage that sentence cites,
or the sentence is dropped. An answer left with nothing becomes an abstention. (A small model
once turned "between 13 and 16 cases" into "16 to 18 cases" while citing the right source.)
"""

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.answer import ExtractiveAnswerer, answer_confidence, best_quote, make_citation
from assistant.errors import AnswerError
from assistant.models import NOT_IN_PAPERS, Answer
from assistant.retrieve import Passage
from assistant.settings import Settings
from assistant.understand import Reading

PROMPT = Path(__file__).resolve().parent.parent / "prompts" / "answer.md"
_MARKERS = re.compile(r"\s*\[(\d{1,2})\]")
_END = re.compile(r"(?:[.!?](?:\s*\[\d{1,2}\])*|(?:\s*\[\d{1,2}\])+[.!?]?)(?=\s+[A-Z\"“(\-•]|\s*$)"
                  r"|\n+")
_MONTHS = ("January February March April May June July August September October November "
           "December").split()
_FACT = re.compile(r"\d+(?:[.,:/]\d+)*%?|\b(?:" + "|".join(_MONTHS) + r")\b|"
                   r"\b[A-Z][a-zA-Z’'-]+(?:\s+(?:of\s+|the\s+|and\s+)?[A-Z][a-zA-Z’'-]+)+")
_COMMON_CAPS = {"The", "This", "That", "These", "Those", "It", "In", "On", "At", "A", "An",
                "Yes", "No", "There", "They", "He", "She", "We", "Members", "Officers"}


def _norm(text: str) -> str:
    return " ".join(text.replace("’", "'").replace(",", "").split()).lower()


def facts_in(sentence: str) -> list[str]:
    """Numbers, dates and proper names: what must appear in the cited passage."""
    found = []
    for m in _FACT.finditer(_MARKERS.sub("", sentence)):
        token = m.group(0)
        words = token.split()
        if len(words) > 1 and words[0] in _COMMON_CAPS:
            token = " ".join(words[1:])
            if " " not in token:
                continue
        found.append(token)
    return found


def verify(text: str, passages: list[Passage]) -> list[tuple[str, list[int]]]:
    """Supported sentences of a generated answer, each with its valid 1-based source numbers."""
    kept = []
    for raw in split_marked(text)[0]:
        sentence = raw.strip(" -•\t")
        if not sentence:
            continue
        refs = [int(n) for n in _MARKERS.findall(sentence)]
        refs = list(dict.fromkeys(n for n in refs if 1 <= n <= len(passages)))
        bare = _MARKERS.sub("", sentence).strip()
        if not refs or not bare:
            continue
        cited = _norm(" ".join(passages[n - 1].text for n in refs))
        if all(_norm(fact) in cited for fact in facts_in(bare)):
            kept.append((bare, refs))
    return kept


class LLMAnswerer:
    mode = "llm"

    def __init__(self, settings: Settings, extractive: ExtractiveAnswerer):
        from langchain_openai import ChatOpenAI

        self.settings = settings
        self.extractive = extractive
        self.model = ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model,
                                api_key=settings.llm_api_key or "not-needed", temperature=0,
                                timeout=settings.llm_timeout_s, max_retries=1)
        self.template = PROMPT.read_text(encoding="utf-8")

    def prompt(self, question: str, passages: list[Passage], conversation: str = "") -> str:
        sources = "\n".join(
            f'<source n="{n}" paper="{p.meta.get("title") or p.meta["doc_id"]}" '
            f'meeting="{p.meta.get("meeting_date") or "date not printed"}" '
            f'paragraph="{p.meta.get("paragraph")}">\n{p.text}\n</source>'
            for n, p in enumerate(passages, 1))
        return self.template.format(sources=sources, question=question,
                                    conversation=conversation)

    def _gate(self, question: str, query: str, passages: list[Passage],
              reading: Reading | None = None) -> tuple[Answer | None, float]:
        """The evidence's confidence (the extractive answer's), and an abstention when it is
        too weak to call the model."""
        context = query.removesuffix(question).strip()
        ranked = self.extractive.score(question, passages, context, reading)
        parts = self.extractive.part_rankings(question, passages, context, reading)
        confidence = round(answer_confidence(ranked, parts, self.extractive.model), 4)
        if not ranked or confidence < self.extractive.threshold:
            return Answer(answer=NOT_IN_PAPERS, abstained=True, mode="llm",
                          confidence=confidence), confidence
        return None, confidence

    def _compose(self, kept, passages, confidence) -> Answer:
        if not kept:
            return Answer(answer=NOT_IN_PAPERS, abstained=True, mode="llm", confidence=confidence)
        numbering: dict[int, int] = {}
        citations, lines = [], []
        for sentence, refs in kept:
            marks = []
            for n in refs:
                if n not in numbering:
                    numbering[n] = len(numbering) + 1
                    quote = best_quote(sentence, passages[n - 1])
                    citations.append(make_citation(numbering[n], passages[n - 1], quote,
                                                   self.extractive.base_url))
                marks.append(f"[{numbering[n]}]")
            lines.append(f"{sentence} {''.join(marks)}")
        return Answer(answer=" ".join(lines), abstained=False, citations=citations,
                      confidence=confidence, mode="llm")

    def answer(self, question: str, query: str, passages: list[Passage],
               reading: Reading | None = None) -> Answer:
        gated, confidence = self._gate(question, query, passages, reading)
        if gated:
            return gated
        passages = passages[:6]
        try:
            reply = self.model.invoke(self.prompt(question, passages))
        except Exception as exc:
            raise AnswerError(f"the language model did not answer: {exc.__class__.__name__}: "
                              f"{' '.join(str(exc).split())[:160]}") from exc
        text = str(reply.content)
        if "NOT IN PAPERS" in text:
            return Answer(answer=NOT_IN_PAPERS, abstained=True, mode="llm")
        return self._compose(verify(text, passages), passages, confidence)

    def stream(self, question: str, query: str, passages: list[Passage],
               reading: Reading | None = None) -> Iterator[tuple]:
        """Verified sentences as they complete, then the final answer."""
        gated, confidence = self._gate(question, query, passages, reading)
        if gated:
            yield "delta", {"text": gated.answer}
            yield "answer", gated
            return
        passages = passages[:6]
        buffer, kept = "", []
        try:
            for piece in self.model.stream(self.prompt(question, passages)):
                buffer += str(piece.content)
                *done, buffer = _split_done(buffer)
                for sentence in done:
                    for item in verify(sentence, passages):
                        kept.append(item)
                        yield "delta", {"text": item[0]}
        except Exception as exc:
            raise AnswerError(f"the language model did not answer: {exc.__class__.__name__}") \
                from exc
        for item in verify(buffer + "\n", passages) if "NOT IN PAPERS" not in buffer else []:
            kept.append(item)
            yield "delta", {"text": item[0]}
        yield "answer", self._compose(kept, passages, confidence)


def split_marked(text: str) -> tuple[list[str], str]:
    """Sentences that have ended (each keeping its [n] markers) and the unfinished rest."""
    done, pos = [], 0
    for m in _END.finditer(text):
        if text[pos:m.end()].strip():
            done.append(text[pos:m.end()])
        pos = m.end()
    return done, text[pos:]


def _split_done(buffer: str) -> list[str]:
    """Ended sentences, then the unfinished rest, last (which may be empty)."""
    done, rest = split_marked(buffer)
    if done and not rest.strip():  # the last may still grow: "... [2]" then "."
        rest = done.pop() + rest
    return done + [rest]
