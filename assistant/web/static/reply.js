// One turn of the conversation as the page shows it: the question (with the filters it was
// asked under), and Clerk's reply: the answer with its sources, or why there is none in
// words, the tools under it and, under the latest answer, questions to ask next.
"use strict";

window.ClerkReply = (() => {
  const { el, formatDate, safeHref } = window.Clerk;
  const { describeFilters } = window.ClerkScope;

  function renderQuestion(turn) {
    const scope = describeFilters(turn.filters || {});
    return el("div", { class: "question" },
      el("p", { class: "who" }, "You asked"),
      el("h2", { class: "question-text" }, turn.question),
      scope && el("p", { class: "scope" }, `Searching only: ${scope}`),
      turn.linked && el("p", { class: "scope" },
        `A linked answer, as Clerk gave it on ${formatDate(turn.linked.slice(0, 10))}; the papers may have changed since.`));
  }

  /** Why there is no answer, in words, with what Clerk can offer instead. */
  function renderAbstention(answer, filters) {
    if (answer.reason === "nothing_indexed") {
      return el("div", { class: "notice notice-abstain" },
        el("strong", {}, "Nothing is indexed yet. "),
        "Clerk has read no papers, so it cannot answer. Ask whoever runs Clerk to ingest the committee papers.");
    }
    if (answer.reason === "no_papers_match_filters") {
      return el("div", { class: "notice notice-abstain" },
        el("strong", {}, "No paper matches the filters. "), answer.answer,
        " Widen or clear the filters and ask again.");
    }
    const scope = describeFilters(filters);
    const box = el("div", { class: "notice notice-abstain" },
      el("p", {}, el("strong", {}, "The papers don't say. "),
        "Nothing in the committee papers Clerk holds answers this question",
        scope ? ` (searching only ${scope}).` : ".",
        (answer.closest || []).length ? " The closest passages were:" : " Try asking in other words."));
    const closest = (answer.closest || []).map((c) => {
      const href = safeHref(c.view_url);
      const name = `${c.title || c.doc_id}, paragraph ${c.paragraph}`;
      return el("li", { class: "closest" },
        href ? el("a", { href, target: "_blank", rel: "noopener" }, name) : name,
        c.meeting_date ? ` (${formatDate(c.meeting_date)})` : "",
        el("blockquote", { class: "cite-quote" }, c.quote));
    });
    if (closest.length) box.append(el("ul", { class: "closest-list" }, closest));
    return box;
  }

  /** Questions to ask next, from what the cited papers hold (the server's `suggestions`);
   *  a click passes one to `ask`. */
  function renderSuggestions(answer, ask) {
    const asks = (answer.suggestions || []).filter((s) => typeof s === "string" && s.trim());
    if (!asks.length) return null;
    return el("nav", { class: "suggestions", "aria-label": "Questions to ask next" },
      el("h3", { class: "suggestions-heading" }, "Ask next"),
      el("ul", {}, asks.map((text) => {
        const button = el("button", { type: "button", class: "suggestion" }, text);
        button.addEventListener("click", () => ask(text));
        return el("li", {}, button);
      })));
  }

  /** Clerk's reply to `turn`. `latest`: whether it is the conversation's last (only that one
   *  offers questions to ask next, through `ask`); `keep()` saves the turn after a vote. */
  function renderReply(turn, { latest, keep, ask }) {
    const reply = el("div", { class: "reply" }, el("p", { class: "who" }, "Clerk"));
    if (turn.error) {
      reply.append(el("div", { class: "notice notice-error" }, turn.error));
      return reply;
    }
    const answer = turn.answer;
    const tools = window.ClerkTools.renderTools(turn, keep);
    if (answer.abstained) {
      reply.append(renderAbstention(answer, turn.filters || {}), tools);
      return reply;
    }
    reply.append(...window.ClerkSources.renderAnswer(answer.answer, answer.citations || []),
      tools);
    if (latest) {
      const next = renderSuggestions(answer, ask);
      if (next) reply.append(next);
    }
    return reply;
  }

  return Object.freeze({ renderQuestion, renderReply });
})();
