// An answer's text and its sources. The API gives one citation per [n] marker; a reader wants
// each fact once: one source card per cited paragraph, listing every quote taken from it under
// its marker, and each [n] in the text linked to its quote in context, previewing it and
// pointing out its card. (assistant/sources.py groups them the same way for Slack and the CLI.)
"use strict";

window.ClerkSources = (() => {
  const { el, formatDate, safeHref } = window.Clerk;
  let previews = 0;
  let cards = 0;

  /** The citations grouped by paragraph (paper and label), in the order first cited; the same
   *  words cited twice are one quote with both refs. Each: {where, quotes: [{refs, text}], refs}. */
  function groupSources(citations) {
    const groups = new Map();
    for (const c of citations) {
      const key = JSON.stringify([c.doc_id, c.paragraph]);
      if (!groups.has(key)) groups.set(key, { where: c, quotes: new Map() });
      const quotes = groups.get(key).quotes;
      const text = String(c.quote || "").split(/\s+/).filter(Boolean).join(" ");
      if (!quotes.has(text)) quotes.set(text, { refs: [], text, citation: c });
      quotes.get(text).refs.push(c.ref);
    }
    return [...groups.values()].map(({ where, quotes }) => {
      const list = [...quotes.values()];
      return { where, quotes: list, refs: list.flatMap((q) => q.refs) };
    });
  }

  const refsLabel = (refs) => `[${refs.join(", ")}]`;

  /** The paragraph in context with every quote of it marked: the first quote's link with each
   *  other quote's `quote` added (a signed link stays valid: its signature covers the paper and
   *  the expiry, not the quotes). As assistant/sources.py's with_quotes does for Slack. */
  function contextHref(source) {
    const first = safeHref(source.where.view_url);
    if (!first || source.quotes.length < 2) return first;
    const url = new URL(first);
    const quoted = new Set(url.searchParams.getAll("quote"));
    for (const q of source.quotes.slice(1)) {
      const other = safeHref(q.citation.view_url);
      for (const words of other ? new URL(other).searchParams.getAll("quote") : []) {
        if (!quoted.has(words)) {
          quoted.add(words);
          url.searchParams.append("quote", words);
        }
      }
    }
    return url.href;
  }

  function citationName(c) {
    return `paragraph ${c.paragraph} of ${c.title || c.doc_id}`;
  }

  /** A [n] link (to its quote in context) and its preview: a small popover (role tooltip, the
   *  link's description) with the quote and where it comes from; shown on hover and focus,
   *  hidden by Escape. While shown, the source card it belongs to is marked. */
  function citeRef(label, c, href, card) {
    const id = `cite-preview-${++previews}`;
    const where = [c.committee, c.meeting_date && formatDate(c.meeting_date)].filter(Boolean);
    const preview = el("span", { class: "cite-preview", role: "tooltip", id, hidden: true },
      el("span", { class: "preview-where" }, `${c.title || c.doc_id}, paragraph ${c.paragraph}`,
        where.length ? ` (${where.join(", ")})` : ""),
      el("span", { class: "preview-quote" }, `“${c.quote}”`));
    const link = el("a", { class: "cite-ref", href, target: "_blank", rel: "noopener",
      "aria-label": `${label} ${citationName(c)}`, "aria-describedby": id,
      "data-source": card || null }, label);
    const box = el("span", { class: "cite-wrap" }, link, preview);
    const target = () => card && document.getElementById(card);
    const show = () => {
      preview.hidden = false;
      preview.style.left = "";
      const right = preview.getBoundingClientRect().right;
      // within the answer's column (and the window), so it never runs off the page
      const column = (box.closest(".reply") || document.body).getBoundingClientRect().right;
      const room = Math.min(document.documentElement.clientWidth - 8, column);
      if (right > room) preview.style.left = `${Math.round(room - right)}px`;
      if (target()) target().classList.add("is-target");
    };
    const hide = (always) => {
      if (always || (!box.matches(":hover") && document.activeElement !== link)) {
        preview.hidden = true;
        if (target()) target().classList.remove("is-target");
      }
    };
    box.addEventListener("mouseenter", show);
    box.addEventListener("mouseleave", () => hide(false));
    link.addEventListener("focus", show);
    link.addEventListener("blur", () => hide(false));
    link.addEventListener("keydown", (event) => {
      if (event.key === "Escape") hide(true);
    });
    return box;
  }

  /** One line of answer text, each [n] turned into a link to its quote in context. */
  function inline(text, citations, cardOf) {
    const nodes = [];
    const marker = /\[(\d+)\]/g;
    let last = 0;
    let m;
    while ((m = marker.exec(text)) !== null) {
      if (m.index > last) nodes.push(text.slice(last, m.index));
      const c = citations[Number(m[1]) - 1];
      const href = c && safeHref(c.view_url);
      nodes.push(href ? citeRef(m[0], c, href, cardOf.get(c.ref)) : m[0]);
      last = marker.lastIndex;
    }
    if (last < text.length) nodes.push(text.slice(last));
    return nodes;
  }

  /** The answer text (lines become paragraphs, runs of "- item" lines a list), then its
   *  sources: one card per cited paragraph. */
  function renderAnswer(text, citations) {
    const sources = groupSources(citations);
    const cardOf = new Map();  // ref -> the id of its source card
    const ids = sources.map((s) => {
      const id = `source-${++cards}`;
      for (const ref of s.refs) cardOf.set(ref, id);
      return id;
    });
    const box = el("div", { class: "answer-text" });
    let list = null;
    for (const line of text.split("\n")) {
      if (!line.trim()) {
        list = null;
        continue;
      }
      if (line.startsWith("- ")) {
        if (!list) box.append((list = el("ul")));
        list.append(el("li", {}, inline(line.slice(2), citations, cardOf)));
      } else {
        list = null;
        box.append(el("p", {}, inline(line, citations, cardOf)));
      }
    }
    if (!sources.length) return [box];
    return [box, el("h3", { class: "sources-heading" }, "Sources"),
      el("ol", { class: "citations" }, sources.map((s, i) => renderSource(s, ids[i])))];
  }

  /** A source card: the paper, meeting and paragraph once, then each quote taken from it (under
   *  its marker, a link to that quote in context, when there are several). */
  function renderSource(source, id) {
    const c = source.where;
    const where = [c.committee, c.council].filter(Boolean);
    const date = c.meeting_date
      ? el("time", { datetime: c.meeting_date }, formatDate(c.meeting_date))
      : el("span", { class: "no-date" }, "date not printed");
    const meta = el("p", { class: "cite-meta" },
      where.length ? `${where.join(", ")} · ` : "", "Meeting: ", date,
      " · ", el("span", { class: "cite-para" }, `Paragraph ${c.paragraph}`));
    const quotes = source.quotes.length === 1
      ? el("blockquote", { class: "cite-quote" }, source.quotes[0].text)
      : el("ul", { class: "cite-quotes" }, source.quotes.map((q) => {
        const href = safeHref(q.citation.view_url);
        const num = refsLabel(q.refs);
        return el("li", { class: "cite-quoted" },
          href ? el("a", { class: "quote-ref", href, target: "_blank", rel: "noopener",
            "aria-label": `${num} in context` }, num) : el("span", { class: "quote-ref" }, num),
          el("blockquote", { class: "cite-quote" }, q.text));
      }));
    const view = contextHref(source);
    // `url` may be a file path on the server; only a published web address is worth a link
    const source_ = /^https?:\/\//i.test(c.url || "") ? safeHref(c.url) : null;
    const links = el("p", { class: "cite-links" },
      view && el("a", { href: view, target: "_blank", rel: "noopener" }, "Read in context",
        el("span", { class: "sr-only" }, `: ${citationName(c)}`)),
      source_ && " · ",
      source_ && el("a", { href: source_ }, "Source paper",
        el("span", { class: "sr-only" }, `: ${c.title || c.doc_id}`)));
    return el("li", { class: "citation", id, value: source.refs[0] },
      el("p", { class: "cite-title" }, el("span", { class: "cite-num" }, refsLabel(source.refs)),
        " ", c.title || c.doc_id),
      meta, quotes, links);
  }

  /** The sources as plain text, one paragraph once, for pasting into an email or a report. */
  function sourcesAsText(citations) {
    const lines = [];
    for (const s of groupSources(citations)) {
      const c = s.where;
      const when = c.meeting_date ? `, meeting ${formatDate(c.meeting_date)}` : "";
      lines.push("", `${refsLabel(s.refs)} ${c.title || c.doc_id}, paragraph ${c.paragraph}${when}`);
      for (const q of s.quotes) {
        lines.push(s.quotes.length > 1 ? `${refsLabel(q.refs)} “${q.text}”` : `“${q.text}”`);
      }
      const view = contextHref(s);
      if (view) lines.push(view);
    }
    return lines;
  }

  return Object.freeze({ groupSources, renderAnswer, sourcesAsText });
})();
