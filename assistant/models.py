"""The nouns of answering, shared by the service and every front (the HTTP schema too)."""

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Filters(BaseModel):
    """Narrow the papers searched. Text filters match case-insensitively within the field."""

    model_config = ConfigDict(extra="forbid")

    committee: str | None = Field(None, max_length=200, examples=["Select Committee"])
    council: str | None = Field(None, max_length=200)
    date_from: dt.date | None = Field(None, description="Meetings on or after (YYYY-MM-DD); "
                                      "papers with no printed date are left out.")
    date_to: dt.date | None = Field(None, description="Meetings on or before (YYYY-MM-DD).")
    doc_type: str | None = Field(None, max_length=40, examples=["minutes", "report"])

    def is_empty(self) -> bool:
        return not any(self.model_dump().values())

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Filters":
        check_date_order(self.date_from, self.date_to)
        return self


def check_date_order(date_from: dt.date | None, date_to: dt.date | None) -> None:
    if date_from and date_to and date_from > date_to:
        raise ValueError(f"date_from ({date_from}) is after date_to ({date_to}): no meeting "
                         "could match; swap them")


class TurnCitation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    doc_id: str = Field(max_length=300)
    paragraph: str | None = Field(None, max_length=200)


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["user", "assistant"]
    content: str = Field(max_length=20_000)
    citations: list[TurnCitation] = Field(
        default_factory=list, max_length=20, description="An assistant turn's citations: a "
        "follow-up is searched in the papers they cite as well as everywhere.")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question, in plain words.", min_length=1,
                          examples=["How many case audits had Surrey completed by July 2020?"])
    filters: Filters = Field(default_factory=Filters)
    conversation: list[Turn] = Field(default_factory=list, max_length=20,
                                     description="Earlier turns, oldest first, for follow-ups.")
    keep: bool = Field(False, description="Keep the answer on the server under `answer_id`, so "
                       "that it can be voted on (POST /feedback) and linked to "
                       "(GET /answers/{answer_id}, or the page at /?answer=ID). The question is "
                       "kept with it.")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the question is empty")
        return value.strip()


class CitedParagraph(BaseModel):
    """Where something comes from: the meeting's paper, the paragraph and its exact words."""

    doc_id: str
    title: str | None = None
    doc_type: str | None = None
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    paragraph: str
    quote: str
    url: str | None = Field(None, description="The paper's published web address (http or https) "
                            "when it has one; null otherwise (view_url opens Clerk's copy).")
    view_url: str = Field(description="Clerk's view of the paper with this paragraph highlighted.")
    page: int | None = Field(None, description="PDF only: the page the paragraph starts on (1-based).")
    boxes: list[list[float]] | None = Field(
        None, description="PDF only: the paragraph's printed lines on that page, each "
        "[x0, top, x1, bottom] in PDF points from the page's top left.")


class Citation(CitedParagraph):
    ref: int


class Answer(BaseModel):
    answer: str
    abstained: bool
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(0.0, description="The fitted answer model's probability that "
                              "the best sentence answers the question; below the fitted "
                              "threshold Clerk abstains.")
    mode: Literal["extractive", "llm"] = "extractive"
    reason: Literal["answered", "not_in_papers", "no_papers_match_filters",
                    "nothing_indexed"] = Field(
        "answered", description="answered; or why not: the papers searched do not say "
        "(not_in_papers), the filters leave no paper (no_papers_match_filters), no paper is "
        "indexed (nothing_indexed).")
    closest: list[CitedParagraph] = Field(
        default_factory=list, description="When the papers don't say (not_in_papers): the "
        "passages that came closest, for the reader to check for themselves. Not an answer.")
    answer_id: str | None = Field(None, description="When the request asked to `keep` it: the "
                                  "id to vote on and to link to; null otherwise.")
    suggestions: list[str] = Field(
        default_factory=list, description="Two or three questions to ask next, built from what "
        "the cited papers hold (the decisions they record, their other sections); ask one as a "
        "follow-up. Empty when nothing was cited.")

    @model_validator(mode="after")
    def _abstention_has_reason(self) -> "Answer":
        if self.abstained and self.reason == "answered":
            self.reason = "not_in_papers"
        return self


NOT_IN_PAPERS = "The papers I have don't say."


# -- What is indexed (GET /papers, /papers/{doc_id}, /healthz) -------------------------------

class PaperSummary(BaseModel):
    """One indexed paper, as GET /papers lists it."""

    doc_id: str
    title: str | None = None
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = Field(None, description="YYYY-MM-DD; null when the paper "
                                     "prints no meeting date.")
    doc_type: str | None = None
    url: str | None = Field(None, description="The paper's published web address; null when "
                            "it has none.")
    paragraphs: int = Field(0, description="How many paragraphs were indexed.")


class PaperParagraph(BaseModel):
    label: str = Field(description="As printed: 19, 12.3, Resolved 1, or a heading's n-th "
                       "paragraph.")
    anchor: str = Field(description="The id of its element on the paper page (#p-19).")
    text: str
    heading: str | None = None
    kind: str | None = Field(None, description="resolution, action, ... where the paper marks "
                             "one.")
    start: int | None = Field(None, description="Offset of the paragraph in the paper's text.")
    end: int | None = None
    page: int | None = Field(None, description="PDF only: the page it starts on (1-based).")
    boxes: list[list[float]] = Field(default_factory=list, description="PDF only: its printed "
                                     "lines, each [page, x0, top, x1, bottom] in points.")


class Paper(BaseModel):
    """One paper with its labelled paragraphs, in order."""

    doc_id: str
    title: str | None = None
    council: str | None = None
    committee: str | None = None
    meeting_date: str | None = None
    doc_type: str | None = None
    url: str | None = None
    context_fields: list[str] = Field(default_factory=list, description="Fields known from "
                                      "context rather than printed in the paper.")
    paragraphs: list[PaperParagraph]


class Health(BaseModel):
    """Alive, and what is indexed."""

    status: Literal["ok"] = "ok"
    papers: int
    paragraphs: int
    store: Literal["embedded", "server"]
    embedding: str = Field(description="The embedding space the server searches in.")
    papers_embedded_otherwise: int = Field(description="Papers another embedding backend "
                                           "made (re-ingest them with this server's backend).")
    answerer: Literal["extractive", "llm"]


WhatWasWrong = Literal["wrong_fact", "wrong_source", "missed_point", "out_of_date",
                       "papers_do_say", "other"]
# what a 👎's voter can say was wrong, in Slack's form and on the page, in the words shown
WHAT_WAS_WRONG: dict[str, str] = {"wrong_fact": "It got a fact wrong",
                                  "wrong_source": "It cited the wrong paper or paragraph",
                                  "missed_point": "It didn't answer the question",
                                  "out_of_date": "It is out of date: a later paper says otherwise",
                                  "papers_do_say": "It said the papers don't say, but they do",
                                  "other": "Something else"}


class VoteReason(BaseModel):
    """What was wrong with an answer voted 👎."""

    model_config = ConfigDict(extra="forbid")

    what: WhatWasWrong = Field(description="; ".join(f"`{k}`: {v}"
                                                     for k, v in WHAT_WAS_WRONG.items()))
    detail: str | None = Field(None, max_length=1000, description="In the voter's words.")

    @field_validator("detail")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value.strip() or None if value else None


class VoteRequest(BaseModel):
    """A 👍 or 👎 on a kept answer; a 👎 may say what was wrong."""

    model_config = ConfigDict(extra="forbid")

    answer_id: str = Field(pattern=r"^[0-9a-f]{16}$", description="The answer's `answer_id`.")
    vote: Literal["up", "down"]
    reason: VoteReason | None = Field(None, description="With a `down` vote only: what was "
                                      "wrong. Stored with the vote and in the export's notes.")

    @model_validator(mode="after")
    def _reason_only_when_down(self) -> "VoteRequest":
        if self.reason is not None and self.vote != "down":
            raise ValueError("a reason is given with a 'down' vote only")
        return self


class VoteResponse(BaseModel):
    recorded: Literal[True] = True
    answer_id: str
    vote: Literal["up", "down"]


class KeptAnswer(BaseModel):
    """An answer kept with its question, as it was given."""

    answer_id: str
    question: str
    time: str = Field(description="When it was answered (UTC, ISO 8601).")
    answer: Answer


# -- The resolutions and actions register (GET /resolutions) ----------------------------------

RecordKind = Literal["resolution", "recommendation", "action", "further_information"]


class RegisterQuery(BaseModel):
    """Narrow the register. Text filters match case-insensitively; `q` needs every word."""

    model_config = ConfigDict(extra="forbid")

    q: str | None = Field(None, max_length=500, description="Words the record, its owner or its "
                          "paper's title must all contain (stemmed: 'review' finds 'reviews').",
                          examples=["Children with Disabilities"])
    committee: str | None = Field(None, max_length=200, description="Part of the committee name.")
    owner: str | None = Field(None, max_length=200, description="Part of the owner's name or "
                              "role.", examples=["Lucy Butler"])
    kind: RecordKind | None = Field(None, description="Only records of this kind.")
    date_from: dt.date | None = Field(None, description="Meetings on or after (YYYY-MM-DD); "
                                      "records with no printed date are left out.")
    date_to: dt.date | None = Field(None, description="Meetings on or before (YYYY-MM-DD).")

    @model_validator(mode="after")
    def _dates_in_order(self) -> "RegisterQuery":
        check_date_order(self.date_from, self.date_to)
        return self


class FollowUp(BaseModel):
    """A later paper's paragraph that takes a record's subject up."""

    doc_id: str
    title: str | None = None
    paragraph: str
    meeting_date: str | None = None
    quote: str
    view_url: str


class FollowThrough(BaseModel):
    status: Literal["followed_up", "not_mentioned", "undated"]
    summary: str = Field(description="'followed up in ...', 'no later paper mentions it', or "
                         "why later papers cannot be told apart.")
    later: list[FollowUp] = Field(default_factory=list)


class RegisterRecord(CitedParagraph):
    """A resolution, recommendation, action or further-information item, with its citation."""

    id: str = Field(description="Stable: doc_id::paragraph::n.")
    kind: RecordKind
    text: str = Field(description="The record as the paper prints it.")
    owner: str | None = Field(None, description="Who it names to act ('; ' between several); "
                              "null when it names no one.")
    owners: list[str] = Field(default_factory=list)
    due: str | None = Field(None, description="When it is due, as printed; null when not given.")
    context: str | None = Field(None, description="For an ACTION inside a paragraph, the whole "
                                "line it closes (what it is about).")
    follow_through: FollowThrough


class RegisterPage(RegisterQuery):
    """The register's filters, and which of the matching records to give."""

    limit: int | None = Field(None, ge=1, le=1000, description="At most this many records "
                              "(all when not given).")
    offset: int = Field(0, ge=0, description="Skip this many matching records first.")


class RegisterResponse(BaseModel):
    records: list[RegisterRecord]
    count: int = Field(description="How many records this response holds.")
    total: int | None = Field(None, description="How many records match the filters (with "
                              "limit and offset, more than `count` when there are more pages).")
