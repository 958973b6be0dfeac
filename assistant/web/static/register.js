/* The register page: its filters live in the address (so a filtered view can be shared), the
   rows come from GET /register/rows with the same filters, built with textContent only. */
(() => {
  "use strict";

  const FILTERS = ["committee", "owner", "date_from", "date_to", "q", "kind"];
  const $ = (id) => document.getElementById(id);
  const form = $("register-filters");
  const rowsBody = $("rows");
  const caption = $("register-caption");
  const status = $("status");
  const { el, headers, errorDetail } = window.Clerk;

  /** The filters in the address, without empty ones. */
  function wanted() {
    const params = new URLSearchParams(location.search);
    const out = new URLSearchParams();
    for (const name of FILTERS) {
      const value = (params.get(name) || "").trim();
      if (value) out.set(name, value);
    }
    return out;
  }

  function fillForm(params) {
    for (const name of FILTERS) {
      const field = form.elements.namedItem(name);
      const value = params.get(name) || "";
      if (field.tagName === "SELECT" && value && ![...field.options].some((o) => o.value === value)) {
        field.append(el("option", { value }, value)); // kept even before the list loads
      }
      field.value = value;
    }
  }

  const needKey = window.Clerk.keyPanel({
    onKey: () => {
      $("key-panel").open = false;
      start();
    },
    say: (text) => { status.textContent = text; },
  });

  async function loadCommittees(chosen) {
    const response = await fetch("papers", { headers: headers() }).catch(() => null);
    if (!response || !response.ok) return; // the rows' own request says what went wrong
    const papers = await response.json();
    const names = [...new Set(papers.map((p) => p.committee).filter(Boolean))]
      .sort((a, b) => a.localeCompare(b));
    const select = $("committee");
    while (select.options.length > 1) select.remove(1);
    for (const name of names) select.append(el("option", { value: name }, name));
    if (chosen && !names.includes(chosen)) select.append(el("option", { value: chosen }, chosen));
    select.value = chosen || "";
  }

  function badge(row) {
    return el("span", { class: `badge ${row.status.replace(" ", "-")}` }, row.status);
  }

  function renderRow(row) {
    const due = row.due_on
      ? [row.due_on, row.due && row.due !== row.due_on
        ? el("span", { class: "printed" }, `printed: “${row.due}”`) : null]
      : [row.due ? `“${row.due}”` : "—"];
    const note = row.status === "followed up" || !row.meeting_date
      ? el("span", { class: "printed" }, row.follow_through) : null;
    const where = `Paragraph ${row.paragraph}`;
    const owners = (row.owner || "—").split("; ").map((o) => el("span", { class: "owner" }, o));
    return el("tr", { "data-id": row.id },
      el("td", null, row.kind),
      el("td", { class: "what" }, row.text),
      el("td", null, row.committee || "—"),
      el("td", { class: "when" }, row.meeting || "date not printed"),
      el("td", null, ...owners),
      el("td", { class: "due-cell" }, ...due),
      el("td", null, badge(row), note),
      el("td", null, el("a", { href: row.view_url, title: row.title || null }, where)));
  }

  async function loadRows(params) {
    status.textContent = "Loading the register…";
    const query = params.toString();
    const response = await fetch(`register/rows${query ? `?${query}` : ""}`, { headers: headers() })
      .catch(() => null);
    if (!response) {
      status.textContent = "Clerk's server could not be reached.";
      return;
    }
    if (response.status === 401) {
      needKey("Clerk's server needs an API key. Enter it under “API key” below.");
      return;
    }
    if (!response.ok) {
      status.textContent = `The register could not be shown: ${await errorDetail(response)}`;
      return;
    }
    const body = await response.json();
    rowsBody.replaceChildren(...body.rows.map(renderRow));
    const n = body.total;
    caption.textContent = `${n} record${n === 1 ? "" : "s"}${query ? " matching the filters" : ""}`;
    status.textContent = n ? "" : "No record matches these filters.";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = String(form.elements.namedItem(name).value || "").trim();
      if (value) params.set(name, value);
    }
    const query = params.toString();
    location.assign(query ? `register?${query}` : "register");
  });

  function start() {
    const params = wanted();
    fillForm(params);
    loadCommittees(params.get("committee"));
    loadRows(params);
  }

  start();
})();
