"""A paper as people read it: its labelled paragraphs in order, as JSON or as a page with the
cited paragraph highlighted."""

import html

from assistant.answer import anchor
from assistant.store import Store


def paper_view(store: Store, doc_id: str) -> dict | None:
    record = store.paper_record(doc_id)
    if record is None:
        return None
    paragraphs: list[dict] = []
    for chunk in store.paper_chunks(doc_id):
        if chunk.meta.get("paper_hash") != record.get("hash"):
            continue
        label = chunk.meta.get("paragraph", "")
        if paragraphs and paragraphs[-1]["label"] == label:  # parts of one long paragraph
            paragraphs[-1]["text"] += "\n" + chunk.text
            continue
        paragraphs.append({"label": label, "anchor": anchor(label), "text": chunk.text,
                           "heading": chunk.meta.get("heading"), "kind": chunk.meta.get("kind"),
                           "start": chunk.meta.get("start"), "end": chunk.meta.get("end")})
    fields = ("doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url")
    out = {k: record.get(k) for k in fields}
    out["context_fields"] = [f for f in (record.get("context_fields") or "").split(",") if f]
    out["paragraphs"] = paragraphs
    return out


_STYLE = """body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;
color:#1a1a1a;background:#fff}h1{font-size:1.4rem}.meta{color:#444}h2{font-size:1.05rem;
margin-top:1.5rem;color:#333}.para{padding:.4rem .6rem;border-left:4px solid transparent;
white-space:pre-line}.label{font-weight:600;margin-right:.5rem}
.para.cited{background:#fff3b0;border-left-color:#8a6d00}a{color:#0b4f9c}"""


def render_paper_html(view: dict, highlight: str | None) -> str:
    e = html.escape
    date = view.get("meeting_date") or "date not printed"
    meta = " · ".join(e(x) for x in (view.get("council"), view.get("committee"), date,
                                     view.get("doc_type")) if x)
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>{e(view.get('title') or view['doc_id'])} – Clerk</title>"
             f"<style>{_STYLE}</style></head><body><main>"
             f"<p><a href='/'>← Ask Clerk</a></p>"
             f"<h1>{e(view.get('title') or view['doc_id'])}</h1><p class='meta'>{meta}</p>"]
    if view.get("url"):
        parts.append(f"<p><a href='{e(view['url'])}'>Source paper</a></p>")
    heading = None
    for p in view["paragraphs"]:
        if p.get("heading") and p["heading"] != heading:
            heading = p["heading"]
            parts.append(f"<h2>{e(heading)}</h2>")
        cited = " cited" if highlight is not None and p["label"] == highlight else ""
        current = " aria-current='true'" if cited else ""
        parts.append(f"<div class='para{cited}' id='{e(p['anchor'])}'{current}>"
                     f"<span class='label'>{e(p['label'])}</span>{e(p['text'])}</div>")
    parts.append("</main></body></html>")
    return "".join(parts)
