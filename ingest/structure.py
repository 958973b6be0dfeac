"""Recognise a paper's structure: headings, numbered paragraphs, and the blocks officers care
about (resolutions, recommendations, actions). Pure functions: text in, paragraphs out, with
offsets so that ``text[p.start:p.end] == p.text``.

Rules, in the order a committee clerk would read the page:
- A numbered line (``1.``, ``12.1``, ``- 20.1``) starts a paragraph labelled with its number.
- Bullets, lettered items and unnumbered text after a numbered paragraph belong to it (a list
  stays with its lead-in; text broken by a page break is rejoined), until the next numbered
  line or heading.
- Under a "Resolved" / "Recommendations" / "Actions" heading, a list that restarts at 1 is
  labelled "Resolved 1", "Recommendations 2", ...
- Unnumbered text under a heading is labelled with the heading, plus " ¶n" when the heading
  has several such paragraphs.
"""

import re
from dataclasses import replace

from ingest.models import Paragraph

_BLANK = re.compile(r"^[\s\u00a0\u200b]*$")
_DOTTED = re.compile(r"^[ \t\u00a0]*(?:[-*•·▪◦][ \t\u00a0]+)?(\d{1,3}(?:\.\d{1,2})+)\.?[ \t\u00a0]+(?=\S)")
_SINGLE = re.compile(r"^[ \t\u00a0]*(\d{1,3})\.[ \t\u00a0]+(?=\S)")
_BULLET = re.compile(r"^[ \t\u00a0]*(?:[-*•·▪◦●]|\(?[a-zA-Z]\)|\(?[ivx]{1,4}\)|[a-z]\.)[ \t\u00a0]+")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.+?)[ \t#]*$")
_INLINE_RESOLVED = re.compile(r"^\s*(?:RESOLVED|Resolved)\b")
_BOILERPLATE = re.compile(r"^\s*this page is intentionally left blank\s*$", re.I)
_TERMINAL = (".", ";", ",", "!", "?", "”", '"', ")")

BLOCK_KINDS = [
    (re.compile(r"^(?:it\s+was\s+)?resolved\b|^resolutions?\b|^decisions?\b", re.I), "resolution", "Resolved"),
    (re.compile(r"^recommendations?\b", re.I), "recommendation", "Recommendations"),
    (re.compile(r"^actions?\b|^action\s+points?\b", re.I), "action", "Actions"),
    (re.compile(r"^further information", re.I), "further_information", "Further information"),
    (re.compile(r"^(?:\w+\s+)?next steps\b", re.I), "next_steps", "Next steps"),
]


def clean_text(text: str) -> str:
    """The text people read and quote: markdown emphasis removed, spaces collapsed within each
    line, blank lines dropped. Lines stay, so list items keep their own line."""
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)  # *italic*
    text = re.sub(r"\[([^\]]*)\]\(#?\)", r"\1", text)  # [label](#) links left by converters
    text = re.sub(r"[ \t\u00a0\u200b\f\v]+", " ", text)
    return "\n".join(ln.strip() for ln in text.splitlines() if ln.strip())


def one_line(text: str) -> str:
    return " ".join(text.split())


def _heading_text(line: str) -> str:
    m = _MD_HEADING.match(line)
    text = m.group(1) if m else line
    return one_line(clean_text(text)).rstrip(":").strip()


def block_kind(heading: str | None) -> tuple[str | None, str | None]:
    """The block a heading opens: (kind, label prefix), or (None, None)."""
    if not heading:
        return None, None
    for pattern, kind, prefix in BLOCK_KINDS:
        if pattern.search(heading.strip()):
            return kind, prefix
    return None, None


def _is_heading_block(lines: list[str], next_line: str | None) -> bool:
    """A short block of its own that reads as a heading rather than a sentence."""
    text = one_line(clean_text(" ".join(lines)))
    if not text or len(text) > 120 or len(lines) > 3:
        return False
    if text.endswith(":"):
        return not text[0].isdigit()
    if re.search(r": [\d(]|@", text):  # "Contact details: 0208 ..." is a value, not a heading
        return False
    if text.endswith(_TERMINAL) or text[0].islower() or text[0].isdigit():
        return False
    if "," in text and text.upper() != text:
        # "Clare Curran, Cabinet Member ..." is a name line, unless numbered paragraphs follow it.
        return bool(next_line and (_DOTTED.match(next_line) or _SINGLE.match(next_line)))
    return True


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.paragraphs: list[dict] = []
        self.current: dict | None = None
        self.heading: str | None = None
        self.kind: str | None = None
        self.prefix: str | None = None
        self.restart = False  # inside a block whose list restarted at 1
        self.top: int | None = None  # last top-level paragraph number outside restarts
        self.restart_top: int | None = None
        self.since_heading = True  # no paragraph yet under the current heading

    def close(self) -> None:
        if self.current:
            self.paragraphs.append(self.current)
        self.current = None

    def open(self, label: str | None, start: int, end: int, kind: str | None) -> None:
        self.close()
        self.current = {"label": label, "start": start, "end": end, "heading": self.heading,
                        "kind": kind}
        self.since_heading = False

    def extend(self, end: int) -> None:
        assert self.current is not None
        self.current["end"] = end

    def set_heading(self, heading: str) -> None:
        self.close()
        self.heading = heading
        self.kind, self.prefix = block_kind(heading)
        self.restart = False
        self.restart_top = None
        self.since_heading = True

    def numbered(self, label: str) -> str | None:
        """The label for a numbered line, or None when the number is implausible here."""
        major = int(label.split(".")[0])
        dotted = "." in label
        if self.prefix and not dotted and (major == 1 and self.since_heading or self.restart):
            if major == 1 or (self.restart_top is not None and 0 < major - self.restart_top <= 3):
                self.restart = True
                self.restart_top = major
                return f"{self.prefix} {major}"
            return None
        last = self.top
        if last is not None and not (major == 1 and not dotted) and not (last <= major <= last + 5):
            return None
        self.top = major
        return label


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Split a paper's text into labelled paragraphs."""
    b = _Builder(text)
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    i = 0
    while i < len(lines):
        line, (start, end) = lines[i], spans[i]
        if _BLANK.match(line) or _BOILERPLATE.match(line):
            i += 1
            continue
        if _MD_HEADING.match(line):
            b.set_heading(_heading_text(line))
            i += 1
            continue
        m = _DOTTED.match(line) or _SINGLE.match(line)
        label = b.numbered(m.group(1)) if m else None
        if label:
            s = start + len(line) - len(line.lstrip(" \t\u00a0"))
            kind = b.kind or ("resolution" if _INLINE_RESOLVED.match(line[m.end():]) else None)
            b.open(label, s, end, kind)
            i += 1
            continue
        # A block: this line and the non-blank lines that follow it without a gap.
        j = i
        while j + 1 < len(lines) and not _BLANK.match(lines[j + 1]) \
                and not _MD_HEADING.match(lines[j + 1]) \
                and not (_DOTTED.match(lines[j + 1]) or _SINGLE.match(lines[j + 1])) \
                and not _BULLET.match(lines[j + 1]) and not _BULLET.match(line):
            j += 1
        block = lines[i:j + 1]
        block_start = start + len(line) - len(line.lstrip(" \t\u00a0\u200b"))
        block_end = spans[j][1]
        is_bullet = bool(_BULLET.match(line))
        following = next((ln for ln in lines[j + 1:] if not _BLANK.match(ln)), None)
        if not is_bullet and _is_heading_block(block, following) and not _continues(b, block):
            b.set_heading(_heading_text(" ".join(block)))
        elif b.current is not None and (b.current["label"] is not None or is_bullet
                                        or _continues(b, block)):
            b.extend(block_end)
        else:
            kind = b.kind or ("resolution" if _INLINE_RESOLVED.match(line) else None)
            b.open(None, block_start, block_end, kind)
        i = j + 1
    b.close()
    return _finish(text, b.paragraphs)


def _continues(b: _Builder, block: list[str]) -> bool:
    """Text that carries on the sentence of the paragraph above (a page break split it)."""
    if b.current is None:
        return False
    prev = b.text[b.current["start"]:b.current["end"]].rstrip()
    first = block[0].lstrip(" \t\u00a0-*•·")
    return bool(prev) and not prev.endswith((".", ":", ";", "!", "?")) and first[:1].islower()


def _finish(text: str, raw: list[dict]) -> list[Paragraph]:
    # Unnumbered paragraphs take their heading's name, with " ¶n" when it has several.
    by_heading: dict[str | None, list[dict]] = {}
    for p in raw:
        if p["label"] is None:
            by_heading.setdefault(p["heading"], []).append(p)
    for heading, group in by_heading.items():
        name = heading or "Text"
        for n, p in enumerate(group, 1):
            p["label"] = name if len(group) == 1 and heading else f"{name} ¶{n}"
    seen: dict[str, int] = {}
    out = []
    for ordinal, p in enumerate(raw):
        label = p["label"]
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # a label printed twice stays citable: "3 (2)"
            label = f"{label} ({seen[label]})"
        para = Paragraph(label=label, text=text[p["start"]:p["end"]], start=p["start"],
                         end=p["end"], heading=p["heading"], kind=p["kind"], ordinal=ordinal)
        out.append(para)
    return [replace(p) for p in out if clean_text(p.text)]
