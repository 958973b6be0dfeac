"""The 👍/👎 buttons under a Slack answer and the form a 👎 opens ("What was wrong?"): their
Block Kit, and what a submitted form says."""

import json

from assistant.models import WHAT_WAS_WRONG

FEEDBACK_UP, FEEDBACK_DOWN = "clerk_feedback_up", "clerk_feedback_down"
FEEDBACK_REASON = "clerk_feedback_reason"  # the form a 👎 opens: what was wrong
DETAIL_CHARS = 1000  # the form's own limit on the voter's words


def feedback_block(answer_id: str) -> dict:
    return {"type": "actions", "block_id": "clerk_feedback", "elements": [
        {"type": "button", "action_id": FEEDBACK_UP, "value": answer_id,
         "text": {"type": "plain_text", "text": "👍 Helpful", "emoji": True}},
        {"type": "button", "action_id": FEEDBACK_DOWN, "value": answer_id,
         "text": {"type": "plain_text", "text": "👎 Not helpful", "emoji": True}}]}


def reason_view(answer_id: str, channel: str | None) -> dict:
    """The form a 👎 opens: what was wrong (a choice) and, optionally, in the voter's words."""
    def text(words: str) -> dict:
        return {"type": "plain_text", "text": words}

    return {"type": "modal", "callback_id": FEEDBACK_REASON,
            "private_metadata": json.dumps({"answer_id": answer_id, "channel": channel}),
            "title": text("What was wrong?"), "submit": text("Send"), "close": text("Skip"),
            "blocks": [
                {"type": "input", "block_id": "what", "label": text("What was wrong with it?"),
                 "element": {"type": "radio_buttons", "action_id": "what", "options": [
                     {"text": text(label), "value": value}
                     for value, label in WHAT_WAS_WRONG.items()]}},
                {"type": "input", "block_id": "detail", "optional": True,
                 "label": text("In your words (optional)"),
                 "element": {"type": "plain_text_input", "action_id": "detail",
                             "multiline": True, "max_length": DETAIL_CHARS}}]}


def reason_of(view: dict) -> tuple[str, str | None]:
    """The answer id and channel a submitted form is about."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    return str(meta.get("answer_id") or ""), meta.get("channel")


def view_values(view: dict) -> dict:
    """What the voter chose and wrote in the form: {"what", "detail"}."""
    values = (view.get("state") or {}).get("values") or {}
    chosen = ((values.get("what") or {}).get("what") or {}).get("selected_option") or {}
    what = chosen.get("value")
    detail = ((values.get("detail") or {}).get("detail") or {}).get("value")
    return {"what": what if what in WHAT_WAS_WRONG else "other",
            "detail": detail.strip()[:DETAIL_CHARS] if detail and detail.strip() else None}
