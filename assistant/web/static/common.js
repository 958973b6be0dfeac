// What Clerk's pages share, loaded before each page's own script: building elements from text
// (never from markup, so nothing in a paper can inject HTML), the API key kept for this tab,
// the headers that carry it, a refusal's reason, the "API key" panel itself, dates as people
// write them, safe links and what the tab keeps in sessionStorage.
"use strict";

window.Clerk = (() => {
  const KEY = "clerk.apiKey";

  /** An element with attributes and children; strings become Text nodes, never markup. */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
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

  function storedKey() {
    try {
      return sessionStorage.getItem(KEY) || "";
    } catch {
      return "";
    }
  }

  /** Headers for Clerk's API: JSON, and the tab's API key when one was given. */
  function headers(json) {
    const h = { Accept: "application/json" };
    if (json) h["Content-Type"] = "application/json";
    const key = storedKey();
    if (key) h["X-API-Key"] = key;
    return h;
  }

  /** The server's one-line reason for refusing a request (its `detail`), else the status. */
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

  /** The panel's form, built here so that every page offers the same one. */
  function keyForm() {
    const hint = "Only needed when your Clerk server asks for one. It is kept in this browser " +
      "tab until you close it.";
    return el("form", { id: "key-form", novalidate: true },
      el("p", { id: "key-hint", class: "hint" }, hint),
      el("label", { for: "api-key" }, "API key"),
      el("div", { class: "key-row" },
        el("input", { type: "password", id: "api-key", name: "api_key", autocomplete: "off",
          spellcheck: "false", "aria-describedby": "key-hint" }),
        el("button", { type: "submit", class: "primary" }, "Use this key"),
        el("button", { type: "button", id: "forget-key", class: "secondary" }, "Forget key")));
  }

  /** Fill the page's `<details id="key-panel">`: a key typed there is kept for the tab and
   *  `onKey()` runs (to retry what needed it); `say(text)` tells the user what happened.
   *  Returns `ask(message, focus)`, which opens the panel when the server wants a key. */
  function keyPanel({ onKey, say }) {
    const panel = document.getElementById("key-panel");
    panel.replaceChildren(el("summary", {}, "API key"), keyForm());
    const input = document.getElementById("api-key");
    document.getElementById("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) {
        say("Type the API key first.");
        input.focus();
        return;
      }
      try {
        sessionStorage.setItem(KEY, key);
      } catch {
        say("This browser won't keep the key; it can't be used.");
        return;
      }
      input.value = "";
      say("The API key will be used for this tab.");
      onKey();
    });
    document.getElementById("forget-key").addEventListener("click", () => {
      try {
        sessionStorage.removeItem(KEY);
      } catch {
        // nothing stored
      }
      input.value = "";
      say("The API key was forgotten.");
    });
    return (message, focus) => {
      panel.open = true;
      if (message) say(message);
      if (focus) input.focus();
    };
  }

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  /** 2020-07-28 as a person writes it: 28 July 2020 (anything else as given). */
  function formatDate(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : iso;
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

  /** A value kept as JSON for this tab (sessionStorage), or `fallback`. */
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

  const UNREACHABLE = "Clerk's server can't be reached. Check your connection, or ask whoever " +
    "runs Clerk whether it is running, then try again.";

  return Object.freeze({ el, storedKey, headers, errorDetail, keyPanel, formatDate, safeHref,
    load, save, UNREACHABLE });
})();
