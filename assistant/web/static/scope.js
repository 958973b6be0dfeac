// What the asking page searches: the filters (committee, council, meeting dates), filled from
// the papers Clerk holds and kept for the tab, and the "What Clerk has read" panel.
"use strict";

window.ClerkScope = (() => {
  const { el, headers, errorDetail, formatDate, load, UNREACHABLE } = window.Clerk;
  const FILTERS = "clerk.filters";
  const $ = (id) => document.getElementById(id);

  function currentFilters() {
    const filters = {};
    if ($("committee").value) filters.committee = $("committee").value;
    if ($("council").value) filters.council = $("council").value;
    if ($("date-from").value) filters.date_from = $("date-from").value;
    if ($("date-to").value) filters.date_to = $("date-to").value;
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

  /** The committee and council lists and the scope panel, from GET /papers; `say(text)` tells
   *  the user what went wrong, `askForKey(message)` opens the API key panel on a 401. */
  async function loadPapers(say, askForKey) {
    let response;
    try {
      response = await fetch("papers", { headers: headers(false) });
    } catch {
      say(`${UNREACHABLE} (The committee list could not be loaded.)`);
      return;
    }
    if (response.status === 401) {
      askForKey("Clerk's server needs an API key. Enter it under “API key” below.", false);
      return;
    }
    if (!response.ok) {
      say(`The committee list could not be loaded: ${await errorDetail(response)}`);
      return;
    }
    const papers = await response.json();
    const distinct = (field) =>
      [...new Set(papers.map((p) => p[field]).filter(Boolean))].sort((a, b) => a.localeCompare(b));
    const saved = load(FILTERS, {});
    fillSelect($("committee"), distinct("committee"), saved.committee);
    fillSelect($("council"), distinct("council"), saved.council);
    renderScope(papers);
  }

  /** "What Clerk has read": papers, councils, committees and the meetings' date range. */
  function renderScope(papers) {
    const body = $("scope-body");
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
    const saved = load(FILTERS, {});
    $("date-from").value = saved.date_from || "";
    $("date-to").value = saved.date_to || "";
  }

  return Object.freeze({ FILTERS, currentFilters, describeFilters, loadPapers, restoreFilters });
})();
