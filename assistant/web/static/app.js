// Clerk's asking page. Plain JavaScript, no build step, nothing fetched from elsewhere.
// Every piece of text from the server is put on the page with textContent (or as a Text node),
// never as markup, so nothing in a paper can inject HTML or script.
"use strict";

(() => {
  const STORE = { key: "clerk.apiKey", turns: "clerk.turns", filters: "clerk.filters" };
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
  const keyPanel = $("key-panel");
  const keyForm = $("key-form");
  const keyInput = $("api-key");

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

  /** An element with attributes and children; strings become Text nodes, never markup. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
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

  function storedKey() {
    try {
      return sessionStorage.getItem(STORE.key) || "";
    } catch {
      return "";
    }
  }

  function headers(json) {
    const h = { Accept: "application/json" };
    if (json) h["Content-Type"] = "application/json";
    const key = storedKey();
    if (key) h["X-API-Key"] = key;
    return h;
  }

  async function errorDetail(response) {
    try {
      const body = await response.json();
      if (typeof body.detail === "string") return body.detail;
      if (body.detail) return JSON.stringify(body.detail);
    } catch {
      // not JSON: fall through to the status line
    }
    return `${response.status} ${response.statusText}`.trim();
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

  /** One line of answer text, each [n] turned into a link to the cited paragraph in context. */
  function inline(text, citations) {
    const nodes = [];
    const marker = /\[(\d+)\]/g;
    let last = 0;
    let m;
    while ((m = marker.exec(text)) !== null) {
      if (m.index > last) nodes.push(text.slice(last, m.index));
      const c = citations[Number(m[1]) - 1];
      const href = c && safeHref(c.view_url);
      nodes.push(href
        ? el("a", { class: "cite-ref", href, target: "_blank", rel: "noopener",
                    "aria-label": `${m[0]} ${citationName(c)}`,
                    title: `Read ${citationName(c)} in context` }, m[0])
        : m[0]);
      last = marker.lastIndex;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
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
      reply.append(renderAbstention(answer, turn.filters || {}));
      return reply;
    }
    reply.append(renderAnswerText(answer.answer, answer.citations || []));
    if (answer.citations && answer.citations.length) {
      reply.append(el("h3", { class: "sources-heading" }, "Sources"),
        el("ol", { class: "citations" }, answer.citations.map(renderCitation)));
    }
    return reply;
  }

  function renderQuestion(turn) {
    const scope = describeFilters(turn.filters || {});
    return el("div", { class: "question" },
      el("p", { class: "who" }, "You asked"),
      el("h2", { class: "question-text" }, turn.question),
      scope && el("p", { class: "scope" }, `Searching only: ${scope}`));
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
      const response = await fetch("ask", {
        method: "POST",
        headers: headers(true),
        body: JSON.stringify({ question: text, filters, conversation: conversation() }),
        signal: mine.controller.signal,
      });
      if (response.ok) {
        answer = await response.json();
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

  function askForKey(message, focus) {
    keyPanel.open = true;
    if (message) setStatus(message);
    if (focus) keyInput.focus();
  }

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

  keyForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = keyInput.value.trim();
    if (!key) {
      setStatus("Type the API key first.");
      keyInput.focus();
      return;
    }
    try {
      sessionStorage.setItem(STORE.key, key);
    } catch {
      setStatus("This browser won't keep the key; it can't be used.");
      return;
    }
    keyInput.value = "";
    setStatus("The API key will be used for this tab.");
    const retry = afterKey;
    afterKey = null;
    loadPapers();
    if (retry && retry.text && !inFlight) {
      question.focus();
      ask(retry.text, retry.filters);
    }
  });

  $("forget-key").addEventListener("click", () => {
    try {
      sessionStorage.removeItem(STORE.key);
    } catch {
      // nothing stored
    }
    keyInput.value = "";
    setStatus("The API key was forgotten.");
  });

  // ---- start --------------------------------------------------------------------------------

  if (!Array.isArray(turns)) turns = [];
  restoreFilters();
  showLog();
  loadPapers();
})();
