"""The nouns of ingestion: a paper's metadata, its labelled paragraphs and their chunks."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PaperMeta:
    doc_id: str
    title: str | None = None
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = None  # ISO date, only when printed or given in the manifest
    doc_type: str | None = None  # "minutes" | "report" | ...
    url: str | None = None
    item: str | None = None  # the agenda item, when the manifest gives it
    context_fields: tuple[str, ...] = ()  # fields known from context rather than print


@dataclass(frozen=True)
class Paragraph:
    """A paragraph as the paper prints it. ``source[start:end] == text``."""

    label: str
    text: str
    start: int
    end: int
    heading: str | None = None
    kind: str | None = None  # resolution | recommendation | action | further_information | next_steps
    ordinal: int = 0  # position in the paper
    pages: tuple[int, ...] = ()  # PDF: the pages it is printed on, 1-based
    boxes: tuple[tuple[int, float, float, float, float], ...] = ()  # PDF: (page, x0, top, x1, bottom)

    @property
    def page(self) -> int | None:
        return self.pages[0] if self.pages else None

    @property
    def clean(self) -> str:
        from ingest.structure import clean_text

        return clean_text(self.text)


@dataclass(frozen=True)
class Paper:
    meta: PaperMeta
    source_path: str
    text: str  # the text the paragraphs' offsets refer to
    paragraphs: list[Paragraph] = field(default_factory=list)
    content_hash: str = ""


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    label: str
    part: int
    text: str  # what answers quote: the paragraph's clean text (or one part of it)
    embed_text: str  # what is embedded: text with its heading context
    paragraph: Paragraph
