// Under each answer: 👍/👎 (stored for review with Slack's votes, a 👎 then asking what was
// wrong), Copy answer (with its sources, as plain text) and a link to the answer.
"use strict";

window.ClerkTools = (() => {
  const { el, headers, errorDetail, UNREACHABLE } = window.Clerk;

  /** The answer as plain text with its sources, for pasting into an email or a report. */
  function answerAsText(turn) {
    const answer = turn.answer;
    return [`Q: ${turn.question}`, "", answer.answer,
      ...window.ClerkSources.sourcesAsText(answer.citations || [])].join("\n");
  }

  /** The tools for `turn`; `keep()` is called whenever the turn's vote changes, to save it. */
  function renderTools(turn, keep) {
    const answer = turn.answer;
    const said = el("span", { class: "tool-status", role: "status" });
    const copy = el("button", { type: "button", class: "tool" }, "Copy answer");
    copy.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(answerAsText(turn));
        said.textContent = "Copied, with its sources.";
      } catch {
        said.textContent = "This browser wouldn't copy: select the answer's text instead.";
      }
    });
    const tools = el("div", { class: "reply-tools" });
    const slot = el("div", { class: "reason-slot" });  // "What was wrong?" after a Not helpful
    if (answer.answer_id) {
      const votes = [["up", "Helpful"], ["down", "Not helpful"]].map(([vote, name]) => {
        const button = el("button", { type: "button", class: "tool vote", "data-vote": vote,
          "aria-pressed": turn.vote === vote ? "true" : "false" }, thumb(vote), name);
        button.addEventListener("click", async () => {
          if (await sendVote(turn, vote, votes, said, keep)) showReason(turn, slot, said, keep);
        });
        return button;
      });
      tools.append(el("span", { class: "vote-group", role: "group",
        "aria-label": "Was this answer helpful?" }, votes));
    }
    tools.append(copy);
    if (answer.answer_id) {
      tools.append(el("a", { class: "tool permalink", href: `?answer=${encodeURIComponent(answer.answer_id)}` },
        "Link to this answer"));
    }
    tools.append(said);
    showReason(turn, slot, said, keep);
    return el("div", { class: "reply-feedback" }, tools, slot);
  }

  /** After a Not helpful vote, and until it is sent or skipped: what was wrong. */
  function showReason(turn, slot, said, keep) {
    slot.replaceChildren();
    if (turn.vote !== "down" || !turn.askReason) return;
    const done = (text) => {
      turn.askReason = false;
      keep();
      slot.replaceChildren();
      if (text) said.textContent = text;
    };
    slot.append(window.ClerkReason.reasonForm(turn.answer, {
      onDone: () => done("Thanks: what was wrong is recorded with your vote."),
      onSkip: () => done(null),
    }));
  }

  /** A thumb up or down, drawn (an emoji needs a font that not every machine has). */
  function thumb(vote) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", `thumb thumb-${vote}`);
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41" +
      "-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5" +
      " 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z");  // Material Icons' thumb_up (Apache-2.0)
    svg.append(path);
    return svg;
  }

  async function sendVote(turn, vote, buttons, said, keep) {
    let response;
    try {
      response = await fetch("feedback", { method: "POST", headers: headers(true),
        body: JSON.stringify({ answer_id: turn.answer.answer_id, vote }) });
    } catch {
      said.textContent = `${UNREACHABLE} (Your vote wasn't recorded.)`;
      return false;
    }
    if (!response.ok) {
      said.textContent = `Your vote wasn't recorded: ${await errorDetail(response)}`;
      return false;
    }
    turn.vote = vote;
    turn.askReason = vote === "down";
    keep();
    for (const b of buttons) b.setAttribute("aria-pressed", b.dataset.vote === vote ? "true" : "false");
    said.textContent = `Thanks: your vote (${vote === "up" ? "helpful" : "not helpful"}) is ` +
      "recorded for review." + (vote === "down" ? " What was wrong? Tell us below, if you have a moment." : "");
    return true;
  }

  return Object.freeze({ renderTools, answerAsText });
})();
