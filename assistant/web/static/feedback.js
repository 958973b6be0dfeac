// The "What was wrong?" form that a Not helpful vote opens under an answer, as Slack's 👎 does:
// a choice and, optionally, the voter's own words, stored with the vote (POST /feedback with
// `reason`) and exported with it by `clerk feedback export`.
"use strict";

window.ClerkReason = (() => {
  const { el, headers, errorDetail } = window.Clerk;

  // The server's choices and words (WHAT_WAS_WRONG in assistant/models.py; a page test checks
  // that the two agree).
  const CHOICES = Object.freeze({
    wrong_fact: "It got a fact wrong",
    wrong_source: "It cited the wrong paper or paragraph",
    missed_point: "It didn't answer the question",
    out_of_date: "It is out of date: a later paper says otherwise",
    papers_do_say: "It said the papers don't say, but they do",
    other: "Something else",
  });
  // an abstention cites nothing and states no fact, so only these fit it
  const FOR_ANSWER = ["wrong_source", "missed_point", "out_of_date", "wrong_fact", "other"];
  const FOR_ABSTENTION = ["papers_do_say", "missed_point", "other"];
  let forms = 0;

  async function send(answerId, reason) {
    try {
      const response = await fetch("feedback", { method: "POST", headers: headers(true),
        body: JSON.stringify({ answer_id: answerId, vote: "down", reason }) });
      return response.ok ? null : `It wasn't recorded: ${await errorDetail(response)}`;
    } catch {
      return "Clerk's server can't be reached, so it wasn't recorded. Try again in a moment.";
    }
  }

  /** The form for one answer: `onDone(what)` once the reason is stored, `onSkip()` when the
   *  voter puts it away unanswered. */
  function reasonForm(answer, { onDone, onSkip }) {
    const n = ++forms;
    const said = el("p", { class: "reason-status", role: "status" });
    const detail = el("textarea", { id: `reason-detail-${n}`, name: "detail", rows: 2,
      maxlength: 1000, spellcheck: "true" });
    const choices = (answer.abstained ? FOR_ABSTENTION : FOR_ANSWER).map((value) =>
      el("label", { class: "reason-choice" },
        el("input", { type: "radio", name: `reason-${n}`, value }), CHOICES[value]));
    const skip = el("button", { type: "button", class: "tool" }, "Skip");
    const form = el("form", { class: "reason-form", novalidate: true },
      el("fieldset", {}, el("legend", {}, "What was wrong with this answer?"), choices),
      el("label", { for: detail.id, class: "reason-detail-label" }, "In your words (optional)"),
      detail,
      el("div", { class: "reason-actions" },
        el("button", { type: "submit", class: "tool" }, "Send"), skip),
      said);
    skip.addEventListener("click", onSkip);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[type=radio]:checked");
      const words = detail.value.trim();
      if (!chosen && !words) {
        said.textContent = "Choose what was wrong, or say it in your own words.";
        return;
      }
      const what = chosen ? chosen.value : "other";
      const failed = await send(answer.answer_id, { what, detail: words || null });
      if (failed) said.textContent = failed;
      else onDone(what);
    });
    return form;
  }

  return Object.freeze({ reasonForm, CHOICES });
})();
