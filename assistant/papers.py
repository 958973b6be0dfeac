"""A paper as people read it: its labelled paragraphs in order, as JSON or as a page with the
quoted words marked, and for a PDF the cited page as printed with the quote's words boxed."""

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from urllib.parse import quote as urlquote

from assistant.answer import anchor, published_url
from assistant.store import Store, paragraphs_of


def paper_view(store: Store, doc_id: str, record: dict | None = None) -> dict | None:
    """The paper's metadata and labelled paragraphs; ``record``: its paper record, when the
    caller has read it already."""
    record = record if record is not None else store.paper_record(doc_id)
    if record is None:
        return None
    trusted = [c for c in store.paper_chunks(doc_id)
               if c.meta.get("paper_hash") == record.get("hash")]
    paragraphs = [{"label": p.label, "anchor": anchor(p.label), "text": p.text,
                   "heading": p.meta.get("heading"), "kind": p.meta.get("kind"),
                   "start": p.meta.get("start"), "end": p.meta.get("end"),
                   "page": p.meta.get("page"), "boxes": _boxes(p.meta.get("boxes"))}
                  for p in paragraphs_of(trusted)]
    fields = ("doc_id", "title", "council", "committee", "meeting_date", "doc_type", "url")
    out = {k: record.get(k) for k in fields}
    out["url"] = published_url(record)  # never the server's file path
    out["context_fields"] = [f for f in (record.get("context_fields") or "").split(",") if f]
    out["paragraphs"] = paragraphs
    return out


def _boxes(raw: str | None) -> list[list[float]]:
    try:
        return [b for b in json.loads(raw) if isinstance(b, list) and len(b) == 5] if raw else []
    except ValueError:
        return []


def pdf_source(store: Store, doc_id: str) -> Path | None:
    """The paper's PDF on this server, where it was ingested from; None for other formats or
    when the file is no longer there (the text view still works)."""
    record = store.paper_record(doc_id) or {}
    source = record.get("source")
    if not source or not str(source).lower().endswith(".pdf"):
        return None
    path = Path(source)
    return path if path.is_file() else None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
MAX_QUOTE = 2000  # characters of a quote to look for: a sentence or two, never a whole paper
MAX_QUOTES = 12  # quotes one page marks: an answer quotes a paragraph a few times, not dozens


def human_date(iso: str | None) -> str | None:
    """2020-07-28 as a person writes it: 28 July 2020."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        return iso
    return f"{int(m.group(3))} {MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


_STYLE = """:root{--text:#1b1b1b;--muted:#4a4a4a;--accent:#0b4f9c;--soft:#f3f4f6;--quote-bg:#fff3b0;
--quote-edge:#8a6d00}*{box-sizing:border-box}body{margin:0;font:1rem/1.55 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--text);background:#fff}
a{color:var(--accent);text-underline-offset:.15em}
header.bar{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #d0d0d0;
padding:.6rem 1rem}header.bar h1{font-size:1.15rem;margin:.1rem 0}.meta{color:var(--muted);
margin:0}.links{margin:.2rem 0 0;font-size:.95rem}.links a{margin-right:1rem}
main{max-width:72rem;margin:0 auto;padding:0 1rem 3rem}
.printed{display:flex;flex-wrap:wrap;gap:1.25rem;align-items:flex-start;margin:1rem 0 2rem}
.sheet{flex:1 1 30rem;max-width:46rem;margin:0;border:1px solid #c8c8c8;
box-shadow:0 1px 4px rgba(0,0,0,.15)}.canvas{position:relative}.sheet img{display:block;width:100%;height:auto}
.sheet .hl{position:absolute;background:rgba(255,214,0,.38);outline:2px solid var(--quote-edge);
border-radius:2px;pointer-events:none;scroll-margin-top:12rem}.printed{scroll-margin-top:7rem}
.sheet figcaption{font-size:.85rem;color:var(--muted);
padding:.3rem .5rem;border-top:1px solid #e0e0e0;background:var(--soft)}
.beside{flex:1 1 16rem;max-width:26rem;background:var(--soft);padding:.75rem 1rem;
border-left:4px solid var(--quote-edge);overflow-wrap:anywhere;position:sticky;top:7rem}.beside h2{font-size:1rem;margin:0 0 .4rem}
.text{max-width:48rem}.text h2{font-size:1.05rem;margin-top:1.5rem;color:#333}
.para{position:relative;padding:.35rem .6rem;border-left:4px solid transparent;
white-space:pre-line;overflow-wrap:anywhere;scroll-margin-top:7rem}
.para.cited{border-left-color:var(--quote-edge);
background:#fffbe6}.label{font-weight:600;margin-right:.5rem}
.para:target{border-left-color:var(--quote-edge);background:#fffbe6}
mark{background:var(--quote-bg);color:inherit;outline:1px solid var(--quote-edge);border-radius:2px}
.permalink{font-size:.8rem;color:var(--muted);text-decoration:none;margin-left:.4rem;opacity:.7}
.permalink:hover,.permalink:focus{opacity:1;text-decoration:underline}
.badge{display:inline-block;font-size:.8rem;font-weight:600;background:var(--quote-edge);
color:#fff;border-radius:3px;padding:0 .35rem;margin-right:.5rem}
@media (max-width:40rem){header.bar h1{font-size:1rem}.printed{display:block}
.beside{margin-top:1rem;position:static}.para,.printed{scroll-margin-top:12rem}
.sheet .hl{scroll-margin-top:16rem}}"""


def page_headers(style: str = "") -> dict[str, str]:
    """The paper page's headers: its one inline style block is allowed by its hash; nothing else
    runs or loads but its own images, no other site may frame it, and a signed link in its
    address is never sent on as a referrer."""
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    return {
        "Content-Security-Policy": f"default-src 'none'; style-src 'sha256-{digest}'; "
                                   "img-src 'self'; base-uri 'none'; form-action 'none'; "
                                   "frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store",
    }


def _starts_with_label(text: str, label: str) -> bool:
    return text.lstrip("-•· ").startswith(label)


def _span(text: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text``, spaces and line breaks aside."""
    words = re.findall(r"\S+", quote[:MAX_QUOTE])
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return m.span() if m else None


def mark_quotes(text: str, quotes: list[str]) -> str:
    """``text`` escaped, with each of ``quotes`` (where it occurs, spaces and line breaks
    aside) wrapped in <mark>; quotes that overlap are one mark, and a quote not in the text
    marks nothing."""
    e = html.escape
    spans: list[list[int]] = []
    for start, end in sorted(s for q in quotes if (s := _span(text, q))):
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    out, at = [], 0
    for start, end in spans:
        out.append(f"{e(text[at:start])}<mark>{e(text[start:end])}</mark>")
        at = end
    return "".join(out) + e(text[at:])


def _paragraph_html(p: dict, doc_id: str, cited: bool, quotes: list[str],
                    anchor: str | None = None) -> str:
    e = html.escape
    anchor = anchor or p["anchor"]
    attrs = " aria-current='true' tabindex='-1'" if cited else ""
    badge = "<span class='badge'>Cited</span>" if cited else ""
    label = "" if _starts_with_label(p["text"], p["label"]) else \
        f"<span class='label'>{e(p['label'])}</span>"
    body = mark_quotes(p["text"], quotes) if cited else e(p["text"])
    link = (f"<a class='permalink' href='/papers/{e(urlquote(doc_id))}#{e(p['anchor'])}' "
            f"aria-label='Link to paragraph {e(p['label'])}'>¶</a>")
    return (f"<div class='para{' cited' if cited else ''}' id='{e(anchor)}'{attrs}>"
            f"{badge}{label}{body}{link}</div>")


def render_paper_html(view: dict, highlight: str | None, quotes: list[str] | None = None,
                      printed: list[dict] | None = None) -> tuple[str, str]:
    """The paper page and its one style block (whose hash the page's CSP allows), with every
    one of ``quotes`` marked in the cited paragraph. ``printed``: for a PDF citation, the cited
    pages as printed, each ``{"page": n, "src": url, "boxes": [Box, ...]}`` (the quotes' words
    on that page), boxed by rules in that style block."""
    quotes = quotes or []
    e = html.escape
    title = view.get("title") or view["doc_id"]
    date = human_date(view.get("meeting_date")) or "date not printed"
    meta = " · ".join(e(x) for x in (view.get("council"), view.get("committee"), date,
                                     view.get("doc_type")) if x)
    page_title = f"Paragraph {highlight} – {title}" if highlight else title
    url = view.get("url") or ""
    source = (f"<a href='{e(url)}' target='_blank' rel='noopener'>Source paper</a>"
              if url.startswith(("http://", "https://")) else "")
    cited_para = next((p for p in view["paragraphs"] if p["label"] == highlight), None)
    boxes: list[str] = []  # one CSS rule per box: inline style attributes are refused by the CSP
    body: list[str] = []
    # A citation's link ends in the cited paragraph's anchor: on a PDF's page that is the first
    # box of the quoted words as printed (else the printed page), so that the link opens on
    # them; the paragraph's text below takes the anchor with "-text".
    target = cited_para["anchor"] if printed and cited_para is not None else None
    if target is not None:
        found = any(sheet["boxes"] for sheet in printed)
        section_id = "" if found else f" id='{e(target)}'"
        body.append(f"<section class='printed' aria-label='The cited page as printed'"
                    f"{section_id}>")
        for sheet in printed:
            marks = ""
            for b in sheet["boxes"]:
                box_id = target if found and not boxes else f"hl-{len(boxes)}"
                boxes.append(f"#{box_id}{{left:{b.left * 100:.3f}%;top:{b.top * 100:.3f}%;"
                             f"width:{b.width * 100:.3f}%;height:{b.height * 100:.3f}%}}")
                marks += f"<div class='hl' id='{e(box_id)}'></div>"
            body.append(f"<figure class='sheet' data-page='{sheet['page']}'><div class='canvas'>"
                        f"<img src='{e(sheet['src'])}' alt='Page {sheet['page']} of the paper "
                        f"as printed, with the quoted words marked' width='1190'>{marks}</div>"
                        f"<figcaption>Page {sheet['page']} as printed</figcaption></figure>")
        body.append(f"<aside class='beside'><h2>Paragraph {e(cited_para['label'])}</h2>"
                    f"<p>{mark_quotes(cited_para['text'], quotes)}</p></aside></section>")
    body.append("<section class='text' aria-label='The text of the paper'>")
    heading = None
    for p in view["paragraphs"]:
        if p.get("heading") and p["heading"] != heading:
            heading = p["heading"]
            body.append(f"<h2>{e(heading)}</h2>")
        cited = highlight is not None and p["label"] == highlight
        body.append(_paragraph_html(p, view["doc_id"], cited, quotes,
                                    f"{target}-text" if cited and target else None))
    style = _STYLE + "".join(boxes)
    head = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<link rel='icon' href='/static/favicon.svg'>"
            f"<title>{e(page_title)} – Clerk</title><style>{style}</style></head><body>"
            f"<header class='bar'><h1>{e(title)}</h1><p class='meta'>{meta}</p>"
            f"<p class='links'><a href='/'>Ask Clerk</a>{source}</p></header><main>")
    return head + "".join(body) + "</section></main></body></html>", style


def printed_sheets(store: Store, view: dict, doc_id: str, label: str | None,
                   quotes: list[str] | None, signed: str = "") -> list[dict]:
    """For a PDF paper's cited paragraph: its pages, each with the boxes of every quote's words
    (the pages where a quote is found; else the paragraph's first page, unmarked; the whole
    paragraph's words when no quote is given). ``signed``
    (``?exp=..&sig=..``) goes on the images' addresses when the page was opened by a link."""
    from assistant.pages import quote_boxes

    path = pdf_source(store, doc_id)
    para = next((p for p in view["paragraphs"] if p["label"] == label), None)
    if path is None or para is None:
        return []
    pages = sorted({int(b[0]) for b in para["boxes"]}) or ([para["page"]] if para["page"] else [])
    sheets = []
    for n in pages:
        regions = [tuple(b[1:]) for b in para["boxes"] if int(b[0]) == n]
        boxes = quote_boxes(path, n, quotes or [para["text"]], regions)
        sheets.append({"page": n, "src": f"/papers/{urlquote(doc_id)}/pages/{n}{signed}",
                       "boxes": boxes})
    found = [s for s in sheets if s["boxes"]]
    return found or sheets[:1]


def refusal_page(why: str) -> str:
    """The page a browser gets instead of a paper: why, in a sentence."""
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Clerk</title>"
            f"</head><body><main><h1>Clerk</h1><p>{html.escape(why[:1].upper() + why[1:])}. "
            "Open the paper from a new answer in Clerk, or ask whoever runs Clerk for the API "
            "key.</p><p><a href='/'>Ask Clerk</a></p></main></body></html>")
