// Clerk's asking page: the conversation kept for the tab, asking (streamed from /ask/stream,
// with the earlier turns as the conversation), and the page's controls. What it shows is built
// by reply.js, sources.js, tools.js and scope.js. Plain JavaScript, no build step, nothing
// fetched from elsewhere. Every piece of text from the server is put on the page with
// textContent (or as a Text node), never as markup, so nothing in a paper can inject HTML or
// script.
"use strict";

(() => {
  const STORE = { turns: "clerk.turns", filters: window.ClerkScope.FILTERS };
  const MAX_TURNS = 20;          // the API accepts at most 20 earlier turns
  const MAX_TURN_CHARS = 20000;  // and at most 20,000 characters in each
  const TIMEOUT_MS = 120000;

  const $ = (id) => document.getElementById(id);
  const form = $("ask-form");
  const question = $("question");
  const askButton = $("ask");
  const log = $("log");
  const intro = $("intro");
  const status = $("status");
  const dateTo = $("date-to");
  const { el, headers, errorDetail, load, save, UNREACHABLE } = window.Clerk;
  const { currentFilters, loadPapers, restoreFilters } = window.ClerkScope;
  const { renderQuestion, renderReply } = window.ClerkReply;

  let turns = load(STORE.turns, []);   // [{question, filters, answer?: Answer, error?: string}]
  let inFlight = null;                 // {controller, generation} while a question is asked
  let generation = 0;                  // bumped by "New conversation" to drop late answers
  let afterKey = null;                 // what to retry once an API key is given

  function setStatus(text) {
    status.textContent = text;
  }

  // ---- the conversation ---------------------------------------------------------------------

  /** A suggestion clicked under the latest answer: asked as a follow-up. */
  function askNext(text) {
    if (inFlight) return;
    question.value = text;
    form.requestSubmit();
  }

  function reply(turn) {
    return renderReply(turn, { latest: turn === turns[turns.length - 1],
      keep: () => save(STORE.turns, turns), ask: askNext });
  }

  function renderTurn(turn) {
    return el("li", { class: "turn" }, renderQuestion(turn), reply(turn));
  }

  function showLog() {
    log.replaceChildren(...turns.map(renderTurn));
    intro.hidden = turns.length > 0;
  }

  // ---- asking -------------------------------------------------------------------------------

  /** Earlier answered turns, oldest first, as the API's `conversation`. */
  function conversation() {
    const out = [];
    for (const t of turns) {
      if (!t.answer) continue;
      out.push({ role: "user", content: t.question.slice(0, MAX_TURN_CHARS) },
        { role: "assistant", content: t.answer.answer.slice(0, MAX_TURN_CHARS),
          // a follow-up is searched in the papers this answer cited, too
          citations: (t.answer.citations || []).slice(0, 20)
            .map((c) => ({ doc_id: c.doc_id, paragraph: c.paragraph })) });
    }
    return out.slice(-MAX_TURNS);
  }

  /** Read /ask/stream's server-sent events: `delta` text as it is verified (passed to
   *  onDelta), then `answer` (the final answer) or `error`, then `done`. */
  async function readEvents(response, onDelta) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let answer = null;
    let error = null;
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const kind = (/^event: (.*)$/m.exec(block) || [])[1];
        const data = JSON.parse((/^data: (.*)$/m.exec(block) || [, "{}"])[1]);
        if (kind === "delta" && typeof data.text === "string") onDelta(data.text);
        else if (kind === "answer") answer = data;
        else if (kind === "error") error = typeof data.detail === "string" ? data.detail : "error";
      }
      if (done) return { answer, error };
    }
  }

  function setBusy(busy) {
    // aria-disabled rather than disabled: a disabled button would drop keyboard focus
    askButton.setAttribute("aria-disabled", busy ? "true" : "false");
    askButton.textContent = busy ? "Asking…" : "Ask";
    form.setAttribute("aria-busy", busy ? "true" : "false");
  }

  async function ask(text, filters) {
    const mine = { controller: new AbortController(), generation, timedOut: false };
    inFlight = mine;
    setBusy(true);
    intro.hidden = true;
    const turn = { question: text, filters };
    for (const offered of log.querySelectorAll(".suggestions")) offered.remove();
    const item = el("li", { class: "turn" }, renderQuestion(turn),
      el("div", { class: "reply pending" }, el("p", { class: "who" }, "Clerk"),
        el("p", { class: "waiting" }, "Reading the papers…")));
    log.append(item);
    const timer = setTimeout(() => {
      mine.timedOut = true;
      mine.controller.abort();
    }, TIMEOUT_MS);

    let answer = null;
    let error = null;
    try {
      const response = await fetch("ask/stream", {
        method: "POST",
        headers: headers(true),
        // keep: the server keeps the answer under an id, for the votes and the link to it
        body: JSON.stringify({ question: text, filters, conversation: conversation(), keep: true }),
        signal: mine.controller.signal,
      });
      if (response.ok) {
        const waiting = item.querySelector(".waiting");
        ({ answer, error } = await readEvents(response, (delta) => {
          if (mine.generation !== generation) return;
          waiting.textContent = waiting.classList.contains("has-text")
            ? waiting.textContent + delta : delta;
          waiting.classList.add("has-text");
        }));
        if (error) error = `Clerk's server ran into a problem: ${error}. Try again in a moment.`;
        else if (!answer) error = "Clerk's answer was cut off. Try again in a moment.";
      } else if (response.status === 401) {
        error = "Clerk's server needs an API key. Enter it under “API key” below; your " +
          "question will be asked again.";
        afterKey = { text, filters };
      } else if (response.status < 500) {
        error = `Clerk couldn't take that question: ${await errorDetail(response)}`;
      } else {
        error = `Clerk's server ran into a problem: ${await errorDetail(response)}. ` +
          "Try again in a moment.";
      }
    } catch {
      error = mine.timedOut ? "Clerk's server took too long to answer. Try again in a moment."
        : UNREACHABLE;
    } finally {
      clearTimeout(timer);
    }

    if (mine.generation !== generation) return; // the conversation was cleared meanwhile
    inFlight = null;
    setBusy(false);
    if (answer) turn.answer = answer;
    else turn.error = error;
    turns.push(turn);
    save(STORE.turns, turns);
    // Replace the placeholder with the reply; the new nodes are what the live region announces.
    item.lastChild.replaceWith(reply(turn));
    item.scrollIntoView({ block: "start" });
    if (answer) {
      if (question.value.trim() === text) question.value = "";
    } else if (afterKey && afterKey.text) {
      askForKey(null, true);
    }
  }

  const askForKey = window.Clerk.keyPanel({ onKey: keyGiven, say: setStatus });
  const papers = () => loadPapers(setStatus, askForKey);

  // ---- events -------------------------------------------------------------------------------

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (inFlight) return;
    const text = question.value.trim();
    if (!text) {
      setStatus("Type a question first.");
      question.focus();
      return;
    }
    const filters = currentFilters();
    if (filters.date_from && filters.date_to && filters.date_from > filters.date_to) {
      setStatus("“Meetings from” is after “Meetings up to”: change one of the dates.");
      dateTo.setAttribute("aria-invalid", "true");
      dateTo.focus();
      return;
    }
    dateTo.removeAttribute("aria-invalid");
    setStatus("");
    save(STORE.filters, filters);
    ask(text, filters);
  });

  question.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  for (const control of [$("committee"), $("council"), $("date-from"), dateTo]) {
    control.addEventListener("change", () => save(STORE.filters, currentFilters()));
  }

  $("new-conversation").addEventListener("click", () => {
    generation += 1;
    if (inFlight) inFlight.controller.abort();
    inFlight = null;
    setBusy(false);
    turns = [];
    save(STORE.turns, turns);
    showLog();
    question.value = "";
    question.focus();
    setStatus("New conversation started. Earlier questions won't be used for follow-ups.");
  });

  for (const example of document.querySelectorAll("button.example")) {
    example.addEventListener("click", () => {
      question.value = example.textContent;
      question.focus();
    });
  }

  /** Once a key is given: the lists again, and the question that needed it. */
  function keyGiven() {
    const retry = afterKey;
    afterKey = null;
    papers();
    if (retry && retry.text && !inFlight) {
      question.focus();
      ask(retry.text, retry.filters);
    }
  }

  // ---- start --------------------------------------------------------------------------------

  /** A link to an answer (?answer=ID) shows that answer as it was given, with its question,
   *  added to this tab's conversation; the address then goes back to the page's own. */
  async function openLinkedAnswer() {
    const params = new URLSearchParams(location.search);
    const id = params.get("answer");
    if (id === null) return;
    history.replaceState(null, "", location.pathname);
    let response;
    try {
      response = await fetch(`answers/${encodeURIComponent(id)}`, { headers: headers(false) });
    } catch {
      setStatus(`${UNREACHABLE} (The linked answer could not be loaded.)`);
      return;
    }
    if (!response.ok) {
      setStatus(`The linked answer could not be shown: ${await errorDetail(response)}`);
      return;
    }
    const kept = await response.json();
    if (turns.some((t) => t.answer && t.answer.answer_id === kept.answer_id)) return;
    turns.push({ question: kept.question, filters: {}, answer: kept.answer,
      linked: kept.time });
    save(STORE.turns, turns);
    showLog();
    log.lastChild.scrollIntoView({ block: "start" });
  }

  if (!Array.isArray(turns)) turns = [];
  restoreFilters();
  showLog();
  papers();
  openLinkedAnswer();
})();
