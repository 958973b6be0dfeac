"""Feedback on answers, from Slack and the asking page: the answers kept (so a 👍/👎 can be tied
back to them), the votes as JSONL under the data directory, and their export in the eval set's
format for review."""

import datetime as dt
import json
import re
import sys
import uuid
from pathlib import Path

import click
from filelock import FileLock

from assistant.models import Answer
from assistant.settings import Settings, get_settings

_ANSWER_ID = re.compile(r"[0-9a-f]{16}")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


SOURCES = ("slack", "web")


class AnswerLog:
    """Each answer Clerk posted to Slack or kept for the asking page, one small JSON file per
    answer, named by the id that its feedback buttons (and the page's link to it) carry."""

    def __init__(self, data_dir: Path):
        self.dir = Path(data_dir) / "answers"
        self.earlier = Path(data_dir) / "slack-answers"  # where Slack's answers were kept before

    def save(self, question: str, answer: Answer, *, user: str | None, channel: str | None,
             source: str = "slack") -> str:
        answer_id = uuid.uuid4().hex[:16]
        record = {"id": answer_id, "question": question, "answer": answer.answer,
                  "abstained": answer.abstained,
                  "citations": [c.model_dump() for c in answer.citations],
                  "asked_by": user, "channel": channel, "source": source, "time": _now(),
                  "full": answer.model_dump(mode="json", exclude={"answer_id"})}
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{answer_id}.tmp"
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.dir / f"{answer_id}.json")
        return answer_id

    def load(self, answer_id: str) -> dict | None:
        if not _ANSWER_ID.fullmatch(answer_id or ""):
            return None
        for folder in (self.dir, self.earlier):
            try:
                return json.loads((folder / f"{answer_id}.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
        return None


def feedback_path(settings: Settings) -> Path:
    return Path(settings.data_dir) / "feedback.jsonl"


def record_vote(settings: Settings, answer_id: str, vote: str, *, user: str | None,
                channel: str | None = None, ts: str | None = None,
                source: str = "slack", reason: dict | None = None) -> dict | None:
    """Append one vote (with the question, answer and citations it is about, where it was
    given: slack or web, and for a 👎 what was wrong when the voter said); None when the answer
    is unknown, so nothing was stored."""
    if vote not in ("up", "down"):
        raise ValueError(f"a vote is 'up' or 'down', not {vote!r}")
    if source not in SOURCES:
        raise ValueError(f"a vote comes from {' or '.join(SOURCES)}, not {source!r}")
    answer = AnswerLog(settings.data_dir).load(answer_id)
    if answer is None:
        return None
    row = {"answer_id": answer_id, "vote": vote, "source": source, "user": user, "time": _now(),
           "channel": channel, "ts": ts, "question": answer["question"],
           "answer": answer["answer"], "abstained": answer["abstained"],
           "citations": answer["citations"]}
    if reason:
        row["reason"] = reason
    path = feedback_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path) + ".lock"), path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return row


def read_votes(settings: Settings) -> list[dict]:
    """Every stored vote, oldest first; a damaged line is skipped."""
    path = feedback_path(settings)
    if not path.exists():
        return []
    votes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("answer_id"):
            votes.append(row)
    return votes


def eval_case(vote: dict) -> dict:
    """A vote as an eval-set line: Clerk's citations as candidate gold, and who voted what in
    the notes. A reviewer checks it, adds key_facts and moves it to a split."""
    gold = [{"doc_id": c["doc_id"], "paragraph": c["paragraph"], "evidence": c["quote"]}
            for c in vote.get("citations") or []]
    notes = (f"vote: {vote['vote']} by {vote.get('user') or 'unknown'} at {vote['time']} "
             f"({vote.get('source', 'slack')}); ")
    if reason := vote.get("reason"):
        said = f": {reason['detail']}" if reason.get("detail") else ""
        notes += f"what was wrong: {reason.get('what')}{said}; "
    notes += f"Clerk answered: {vote['answer']}"
    return {"id": f"fb-{vote['answer_id']}-{vote.get('user') or 'unknown'}", "split": "review",
            "kind": "feedback", "question": vote["question"],
            "answerable": not vote.get("abstained", False), "key_facts": [], "gold": gold,
            "notes": notes}


def feedback_cases(settings: Settings) -> list[dict]:
    """One case per answer and voter (a changed vote replaces the earlier one), oldest first."""
    latest: dict[tuple, dict] = {}
    for vote in read_votes(settings):
        key = (vote["answer_id"], vote.get("user"))
        latest.pop(key, None)
        latest[key] = vote
    return [eval_case(v) for v in latest.values()]


def export_feedback(settings: Settings, out_path: Path | None = None) -> int:
    """Write the votes as eval-format JSONL to `out_path` (stdout when None); the count."""
    lines = [json.dumps(case, ensure_ascii=False) for case in feedback_cases(settings)]
    text = "".join(line + "\n" for line in lines)
    if out_path is None:
        sys.stdout.write(text)
    else:
        Path(out_path).write_text(text, encoding="utf-8")
    return len(lines)


@click.group("feedback")
def feedback_group() -> None:
    """Votes given to answers (👍/👎) in Slack and on the asking page."""


@feedback_group.command("export")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of stdout.")
def export(out_path: Path | None) -> None:
    """Write the votes as JSONL in the eval set's format (split "review"), so that reviewed
    cases can join eval/qa.jsonl."""
    try:
        count = export_feedback(get_settings(), out_path)
    except OSError as exc:
        raise click.ClickException(f"cannot write the export: {exc.strerror or exc}") from exc
    if out_path is not None:
        click.echo(f"{count} feedback case{'s' if count != 1 else ''} written to {out_path}",
                   err=True)
