"""Kept answers over HTTP: an answer asked for with `keep` is stored under an id, so that the
asking page can vote on it (POST /feedback, stored with Slack's votes) and link to it
(GET /answers/{answer_id}, opened by the page at /?answer=ID)."""

from fastapi import FastAPI, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder

from assistant.feedback import AnswerLog, record_vote
from assistant.models import Answer, KeptAnswer, VoteRequest, VoteResponse
from assistant.security import LinkSigner, sign_links
from assistant.settings import Settings


def keep_answer(settings: Settings, question: str, answer: Answer) -> Answer:
    """The answer with the id it is kept under (before its links are signed: a signed link
    expires, the kept answer does not)."""
    answer_id = AnswerLog(settings.data_dir).save(question, answer, user=None, channel=None,
                                                  source="web")
    return answer.model_copy(update={"answer_id": answer_id})


def _unknown(answer_id: str) -> HTTPException:
    return HTTPException(404, f"no answer '{answer_id}' is kept on this server")


def mount_kept(app: FastAPI, settings: Settings, signer: LinkSigner | None,
               dependencies: list) -> None:
    """POST /feedback and GET /answers/{answer_id}."""

    @app.post("/feedback", response_model=VoteResponse, dependencies=dependencies)
    async def feedback(body: VoteRequest) -> VoteResponse:
        """A 👍 (`up`) or 👎 (`down`) on an answer asked for with `keep`. It is stored with the
        votes given in Slack (source `web`), and `clerk feedback export` writes them all for
        review. A 👎 may carry `reason` (what was wrong, as Slack's 👎 form asks), sent with the
        vote or after it. A later vote on the same answer replaces the earlier one in the
        export; an unknown `answer_id` gets 404."""
        reason = body.reason.model_dump() if body.reason else None
        row = await run_in_threadpool(record_vote, settings, body.answer_id, body.vote,
                                      user=None, source="web", reason=reason)
        if row is None:
            raise _unknown(body.answer_id)
        return VoteResponse(answer_id=body.answer_id, vote=body.vote)

    @app.get("/answers/{answer_id}", response_model=KeptAnswer, dependencies=dependencies)
    def kept_answer(answer_id: str):
        """A kept answer as it was given, with its question: what a link to an answer shows.
        Not asked again: the papers may have changed since."""
        record = AnswerLog(settings.data_dir).load(answer_id)
        if record is None:
            raise _unknown(answer_id)
        full = record.get("full") or {"answer": record["answer"],
                                      "abstained": record["abstained"],
                                      "citations": record["citations"]}
        kept = KeptAnswer(answer_id=answer_id, question=record["question"], time=record["time"],
                          answer=Answer.model_validate({**full, "answer_id": answer_id}))
        data = jsonable_encoder(kept)
        data["answer"] = sign_links(data["answer"], signer)
        return data
