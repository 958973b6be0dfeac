// Clerk's asking page. Plain JavaScript, no build step, nothing fetched from elsewhere.
// Every piece of text from the server is put on the page with textContent (or as a Text node),
// never as markup, so nothing in a paper can inject HTML or script.
"use strict";

(() => {
  const STORE = { turns: "clerk.turns", filters: "clerk.filters" };
  const MAX_TURNS = 20;          // the API accepts at most 20 earlier turns
  const MAX_TURN_CHARS = 20000;  // and at most 20,000 characters in each
  const TIMEOUT_MS = 120000;
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  const UNREACHABLE = "Clerk's server can't be reached. Check your connection, or ask whoever " +
    "runs Clerk whether it is running, then try again.";

  const $ = (id) => document.getElementById(id);
  const form = $("ask-form");
  const question = $("question");
  const askButton = $("ask");
  const log = $("log");
  const intro = $("intro");
  const status = $("status");
  const committee = $("committee");
  const council = $("council");
  const dateFrom = $("date-from");
  const dateTo = $("date-to");
  const { el, headers, errorDetail } = window.Clerk;

  let turns = load(STORE.turns, []);   // [{question, filters, answer?: Answer, error?: string}]
  let inFlight = null;                 // {controller, generation} while a question is asked
  let generation = 0;                  // bumped by "New conversation" to drop late answers
  let afterKey = null;                 // what to retry once an API key is given

  // ---- small helpers ------------------------------------------------------------------------

  function load(name, fallback) {
    try {
      const raw = sessionStorage.getItem(name);
      return raw ? JSON.parse(raw) : fallback;
    } catch {
      return fallback;
    }
  }

  function save(name, value) {
    try {
      sessionStorage.setItem(name, JSON.stringify(value));
    } catch {
      // storage full or disabled: the page still works, it just forgets on reload
    }
  }

  /** Only http(s) links, relative ones resolved against this page; anything else is dropped. */
  function safeHref(url) {
    if (!url) return null;
    try {
      const resolved = new URL(url, document.baseURI);
      return resolved.protocol === "http:" || resolved.protocol === "https:" ? resolved.href : null;
    } catch {
      return null;
    }
  }

  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : iso;
  }

  function setStatus(text) {
    status.textContent = text;
  }

  // ---- filters ------------------------------------------------------------------------------

  function currentFilters() {
    const filters = {};
    if (committee.value) filters.committee = committee.value;
    if (council.value) filters.council = council.value;
    if (dateFrom.value) filters.date_from = dateFrom.value;
    if (dateTo.value) filters.date_to = dateTo.value;
    return filters;
  }

  function describeFilters(filters) {
    const parts = [];
    if (filters.committee) parts.push(filters.committee);
    if (filters.council) parts.push(filters.council);
    if (filters.date_from && filters.date_to) {
      parts.push(`meetings ${formatDate(filters.date_from)} to ${formatDate(filters.date_to)}`);
    } else if (filters.date_from) {
      parts.push(`meetings from ${formatDate(filters.date_from)}`);
    } else if (filters.date_to) {
      parts.push(`meetings up to ${formatDate(filters.date_to)}`);
    }
    return parts.join("; ");
  }

  function fillSelect(select, values, wanted) {
    while (select.options.length > 1) select.remove(1);
    for (const value of values) select.append(el("option", { value }, value));
    if (wanted && values.includes(wanted)) select.value = wanted;
  }

  async function loadPapers() {
    let response;
    try {
      response = await fetch("papers", { headers: headers(false) });
    } catch {
      setStatus(`${UNREACHABLE} (The committee list could not be loaded.)`);
      return;
    }
    if (response.status === 401) {
      askForKey("Clerk's server needs an API key. Enter it under “API key” below.", false);
      return;
    }
    if (!response.ok) {
      setStatus(`The committee list could not be loaded: ${await errorDetail(response)}`);
      return;
    }
    const papers = await response.json();
    const distinct = (field) =>
      [...new Set(papers.map((p) => p[field]).filter(Boolean))].sort((a, b) => a.localeCompare(b));
    const saved = load(STORE.filters, {});
    fillSelect(committee, distinct("committee"), saved.committee);
    fillSelect(council, distinct("council"), saved.council);
    renderScope(papers);
  }

  /** "What Clerk has read": papers, councils, committees and the meetings' date range. */
  function renderScope(papers) {
    const body = document.getElementById("scope-body");
    body.replaceChildren();
    if (!papers.length) {
      body.append(el("p", {}, "Nothing is indexed yet: Clerk has read no papers."));
      return;
    }
    const dates = papers.map((p) => p.meeting_date).filter(Boolean).sort();
    const councils = new Map();
    for (const p of papers) {
      const name = p.council || "Council not printed";
      if (!councils.has(name)) councils.set(name, new Map());
      const committees = councils.get(name);
      const c = p.committee || "Committee not printed";
      committees.set(c, (committees.get(c) || 0) + 1);
    }
    const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
    body.append(el("p", { class: "scope-summary" },
      `${plural(papers.length, "paper")} from ${plural(councils.size, "council")}`,
      dates.length ? `, meetings from ${formatDate(dates[0])} to ${formatDate(dates[dates.length - 1])}` : "",
      papers.length > dates.length ? ` (${papers.length - dates.length} with no printed date)` : "", "."));
    const list = el("ul", { class: "scope-list" });
    for (const [name, committees] of [...councils].sort((a, b) => a[0].localeCompare(b[0]))) {
      list.append(el("li", {}, el("strong", {}, name), ": ",
        [...committees].sort((a, b) => a[0].localeCompare(b[0]))
          .map(([c, n]) => `${c} (${plural(n, "paper")})`).join("; ")));
    }
    body.append(list);
  }

  function restoreFilters() {
    const saved = load(STORE.filters, {});
    dateFrom.value = saved.date_from || "";
    dateTo.value = saved.date_to || "";
  }

  // ---- rendering ----------------------------------------------------------------------------

  function citationName(c) {
    return `paragraph ${c.paragraph} of ${c.title || c.doc_id}`;
  }

  /** One line of answer text, each [n] turned into a link to the cited paragraph in context,
   *  with a preview of the quoted words shown on hover or keyboard focus. */
  function inline(text, citations) {
    const nodes = [];
    const marker = /\[(\d+)\]/g;
    let last = 0;
    let m;
    while ((m = marker.exec(text)) !== null) {
      if (m.index > last) nodes.push(text.slice(last, m.index));
      const c = citations[Number(m[1]) - 1];
      const href = c && safeHref(c.view_url);
      nodes.push(href ? citeRef(m[0], c, href) : m[0]);
      last = marker.lastIndex;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  let previews = 0;

  /** A [n] link and its preview: a small popover (role tooltip, the link's description) with
   *  the quote and where it comes from; shown on hover and focus, hidden by Escape. */
  function citeRef(label, c, href) {
    const id = `cite-preview-${++previews}`;
    const where = [c.committee, c.meeting_date && formatDate(c.meeting_date)].filter(Boolean);
    const preview = el("span", { class: "cite-preview", role: "tooltip", id, hidden: true },
      el("span", { class: "preview-where" }, `${c.title || c.doc_id}, paragraph ${c.paragraph}`,
        where.length ? ` (${where.join(", ")})` : ""),
      el("span", { class: "preview-quote" }, `“${c.quote}”`));
    const link = el("a", { class: "cite-ref", href, target: "_blank", rel: "noopener",
      "aria-label": `${label} ${citationName(c)}`, "aria-describedby": id }, label);
    const box = el("span", { class: "cite-wrap" }, link, preview);
    const show = () => {
      preview.hidden = false;
      preview.style.left = "";
      const right = preview.getBoundingClientRect().right;
      // within the answer's column (and the window), so it never runs off the page
      const column = (box.closest(".reply") || document.body).getBoundingClientRect().right;
      const room = Math.min(document.documentElement.clientWidth - 8, column);
      if (right > room) preview.style.left = `${Math.round(room - right)}px`;
    };
    const hide = () => {
      if (!box.matches(":hover") && document.activeElement !== link) preview.hidden = true;
    };
    box.addEventListener("mouseenter", show);
    box.addEventListener("mouseleave", hide);
    link.addEventListener("focus", show);
    link.addEventListener("blur", hide);
    link.addEventListener("keydown", (event) => {
      if (event.key === "Escape") preview.hidden = true;
    });
    return box;
  }

  /** The answer text: lines become paragraphs, runs of "- item" lines become a list. */
  function renderAnswerText(text, citations) {
    const box = el("div", { class: "answer-text" });
    let list = null;
    for (const line of text.split("\n")) {
      if (!line.trim()) {
        list = null;
        continue;
      }
      if (line.startsWith("- ")) {
        if (!list) box.append((list = el("ul")));
        list.append(el("li", {}, inline(line.slice(2), citations)));
      } else {
        list = null;
        box.append(el("p", {}, inline(line, citations)));
      }
    }
    return box;
  }

  function renderCitation(c) {
    const where = [c.committee, c.council].filter(Boolean);
    const date = c.meeting_date
      ? el("time", { datetime: c.meeting_date }, formatDate(c.meeting_date))
      : el("span", { class: "no-date" }, "date not printed");
    const meta = el("p", { class: "cite-meta" },
      where.length ? `${where.join(", ")} · ` : "", "Meeting: ", date,
      " · ", el("span", { class: "cite-para" }, `Paragraph ${c.paragraph}`));
    const view = safeHref(c.view_url);
    // `url` may be a file path on the server; only a published web address is worth a link
    const source = /^https?:\/\//i.test(c.url || "") ? safeHref(c.url) : null;
    const links = el("p", { class: "cite-links" },
      view && el("a", { href: view, target: "_blank", rel: "noopener" }, "Read in context",
        el("span", { class: "sr-only" }, `: ${citationName(c)}`)),
      source && " · ",
      source && el("a", { href: source }, "Source paper",
        el("span", { class: "sr-only" }, `: ${c.title || c.doc_id}`)));
    return el("li", { class: "citation", value: c.ref },
      el("p", { class: "cite-title" }, el("span", { class: "cite-num" }, `[${c.ref}]`), " ",
        c.title || c.doc_id),
      meta,
      el("blockquote", { class: "cite-quote" }, c.quote),
      links);
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

  function renderReply(turn) {
    const reply = el("div", { class: "reply" }, el("p", { class: "who" }, "Clerk"));
    if (turn.error) {
      reply.append(el("div", { class: "notice notice-error" }, turn.error));
      return reply;
    }
    const answer = turn.answer;
    if (answer.abstained) {
      reply.append(renderAbstention(answer, turn.filters || {}), renderTools(turn));
      return reply;
    }
    reply.append(renderAnswerText(answer.answer, answer.citations || []));
    if (answer.citations && answer.citations.length) {
      reply.append(el("h3", { class: "sources-heading" }, "Sources"),
        el("ol", { class: "citations" }, answer.citations.map(renderCitation)));
    }
    reply.append(renderTools(turn));
    if (turn === turns[turns.length - 1]) reply.append(renderSuggestions(answer));
    return reply;
  }

  /** Questions to ask next, from what the cited papers hold (the server's `suggestions`);
   *  one click asks it as a follow-up. Only under the latest answer. */
  function renderSuggestions(answer) {
    const asks = (answer.suggestions || []).filter((s) => typeof s === "string" && s.trim());
    if (!asks.length) return null;
    return el("nav", { class: "suggestions", "aria-label": "Questions to ask next" },
      el("h3", { class: "suggestions-heading" }, "Ask next"),
      el("ul", {}, asks.map((text) => {
        const button = el("button", { type: "button", class: "suggestion" }, text);
        button.addEventListener("click", () => {
          if (inFlight) return;
          question.value = text;
          form.requestSubmit();
        });
        return el("li", {}, button);
      })));
  }

  /** The answer as plain text with its sources, for pasting into an email or a report. */
  function answerAsText(turn) {
    const answer = turn.answer;
    const lines = [`Q: ${turn.question}`, "", answer.answer];
    for (const c of answer.citations || []) {
      const when = c.meeting_date ? `, meeting ${formatDate(c.meeting_date)}` : "";
      lines.push("", `[${c.ref}] ${c.title || c.doc_id}, paragraph ${c.paragraph}${when}`,
        `“${c.quote}”`);
      const view = safeHref(c.view_url);
      if (view) lines.push(view);
    }
    return lines.join("\n");
  }

  /** 👍/👎 (stored for review with Slack's votes), copy, and a link to this answer. */
  function renderTools(turn) {
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
          if (await sendVote(turn, vote, votes, said)) showReason(turn, slot, said);
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
    showReason(turn, slot, said);
    return el("div", { class: "reply-feedback" }, tools, slot);
  }

  /** After a Not helpful vote, and until it is sent or skipped: what was wrong. */
  function showReason(turn, slot, said) {
    slot.replaceChildren();
    if (turn.vote !== "down" || !turn.askReason) return;
    const done = (text) => {
      turn.askReason = false;
      save(STORE.turns, turns);
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

  async function sendVote(turn, vote, buttons, said) {
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
    save(STORE.turns, turns);
    for (const b of buttons) b.setAttribute("aria-pressed", b.dataset.vote === vote ? "true" : "false");
    said.textContent = `Thanks: your vote (${vote === "up" ? "helpful" : "not helpful"}) is ` +
      "recorded for review." + (vote === "down" ? " What was wrong? Tell us below, if you have a moment." : "");
    return true;
  }

  function renderQuestion(turn) {
    const scope = describeFilters(turn.filters || {});
    return el("div", { class: "question" },
      el("p", { class: "who" }, "You asked"),
      el("h2", { class: "question-text" }, turn.question),
      scope && el("p", { class: "scope" }, `Searching only: ${scope}`),
      turn.linked && el("p", { class: "scope" },
        `A linked answer, as Clerk gave it on ${formatDate(turn.linked.slice(0, 10))}; the papers may have changed since.`));
  }

  function renderTurn(turn) {
    return el("li", { class: "turn" }, renderQuestion(turn), renderReply(turn));
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
    item.lastChild.replaceWith(renderReply(turn));
    item.scrollIntoView({ block: "start" });
    if (answer) {
      if (question.value.trim() === text) question.value = "";
    } else if (afterKey && afterKey.text) {
      askForKey(null, true);
    }
  }

  const askForKey = window.Clerk.keyPanel({ onKey: keyGiven, say: setStatus });

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

  for (const control of [committee, council, dateFrom, dateTo]) {
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
    loadPapers();
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
  loadPapers();
  openLinkedAnswer();
})();
