"""A paper as people read it: its labelled paragraphs in order, as JSON or as a page with the
cited paragraph highlighted."""

import base64
import hashlib
import html

from assistant.answer import anchor, published_url
from assistant.store import Store, paragraphs_of


def paper_view(store: Store, doc_id: str) -> dict | None:
    record = store.paper_record(doc_id)
    if record is None:
        return None
    trusted = [c for c in store.paper_chunks(doc_id)
               if c.meta.get("paper_hash") == record.get("hash")]
    paragraphs = [{"label": p.label, "anchor": anchor(p.label), "text": p.text,
                   "heading": p.meta.get("heading"), "kind": p.meta.get("kind"),
                   "start": p.meta.get("start"), "end": p.meta.get("end"),
                   "page": p.meta.get("page")}
                  for p in paragraphs_of(trusted)]
    fields = ("doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url")
    out = {k: record.get(k) for k in fields}
    out["url"] = published_url(record)  # never the server's file path
    out["context_fields"] = [f for f in (record.get("context_fields") or "").split(",") if f]
    out["paragraphs"] = paragraphs
    return out


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff}h1{font-size:1.4rem}.meta{color:#444}h2{font-size:1.05rem;
margin-top:1.5rem;color:#333}.para{padding:.4rem .6rem;border-left:4px solid transparent;
white-space:pre-line}.label{font-weight:600;margin-right:.5rem}
.para.cited{background:#fff3b0;border-left-color:#8a6d00}a{color:#0b4f9c}
.para{scroll-margin-top:1rem}.badge{display:inline-block;font-size:.8rem;font-weight:600;
background:#8a6d00;color:#fff;border-radius:3px;padding:0 .35rem;margin-right:.5rem}"""


# The page's one inline style is allowed by its hash; nothing else runs or loads but the icon,
# no other site may frame it, and a signed link in its address is never sent on as a referrer.
_STYLE_HASH = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
PAGE_HEADERS = {
    "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
                               "img-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}


def _starts_with_label(text: str, label: str) -> bool:
    return text.lstrip("-•· ").startswith(label)


def render_paper_html(view: dict, highlight: str | None) -> str:
    e = html.escape
    title = view.get("title") or view["doc_id"]
    date = view.get("meeting_date") or "date not printed"
    meta = " · ".join(e(x) for x in (view.get("council"), view.get("committee"), date,
                                     view.get("doc_type")) if x)
    page_title = f"Paragraph {highlight} – {title}" if highlight else title
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<link rel='icon' href='/static/favicon.svg'>"
             f"<title>{e(page_title)} – Clerk</title>"
             f"<style>{_STYLE}</style></head><body><main>"
             f"<p><a href='/'>← Ask Clerk</a></p>"
             f"<h1>{e(title)}</h1><p class='meta'>{meta}</p>"]
    url = view.get("url") or ""
    if url.startswith(("http://", "https://")):
        parts.append(f"<p><a href='{e(url)}'>Source paper</a></p>")
    heading = None
    for p in view["paragraphs"]:
        if p.get("heading") and p["heading"] != heading:
            heading = p["heading"]
            parts.append(f"<h2>{e(heading)}</h2>")
        cited = highlight is not None and p["label"] == highlight
        attrs = " aria-current='true' tabindex='-1'" if cited else ""
        badge = "<span class='badge'>Cited</span>" if cited else ""
        hidden = " aria-hidden='true'" if _starts_with_label(p["text"], p["label"]) else ""
        parts.append(f"<div class='para{' cited' if cited else ''}' id='{e(p['anchor'])}'{attrs}>"
                     f"{badge}<span class='label'{hidden}>{e(p['label'])}</span>{e(p['text'])}"
                     f"</div>")
    parts.append("</main></body></html>")
    return "".join(parts)


def refusal_page(why: str) -> str:
    """The page a browser gets instead of a paper: why, in a sentence."""
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Clerk</title>"
            f"</head><body><main><h1>Clerk</h1><p>{html.escape(why[:1].upper() + why[1:])}. "
            "Open the paper from a new answer in Clerk, or ask whoever runs Clerk for the API "
            "key.</p><p><a href='/'>Ask Clerk</a></p></main></body></html>")
