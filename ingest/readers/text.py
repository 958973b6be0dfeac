"""Plain text and Markdown, often copied out of a PDF or a website.

YAML front matter becomes hints, never text. Markdown's own marks are normalised to the shared
conventions (``#`` headings → ``## ``, ``*`` bullets → ``- ``, blockquote marks and HTML
comments dropped, pandoc's ``^th^`` superscripts and ``\\`` hard breaks read). Hard-wrapped
lines are joined the way the PDF reader joins them, without positions: the file's wrap width is
where its wrapped lines end, and a line that stops short although the next line's first word
would have fitted was broken on purpose (a paragraph end after a sentence end, else a line of
its own).
"""

import re

import yaml

from ingest.labels import BULLET_START, LABEL_START
from ingest.readers import Document

_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_MD_BULLET = re.compile(r"^([ \t]*)[*+][ \t]+")
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?")
_TERMINAL = (".", "!", "?", ":", ";", "”", '"')
_MIN_WRAPPED_LINES = 8  # fewer inner lines than this say nothing about a wrap width
_WRAPPED_SHARE = 0.5  # in a hard-wrapped file most lines end near the wrap width
_RUN_ON_WORDS = 8  # a shorter unfinished line is a title, not a sentence broken by a stray break


def read(text: str, markdown: bool) -> Document:
    hints: dict[str, str] = {}
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    if markdown:
        text, hints = _front_matter(text)
        text = _markdown(text)
    return Document(text=unwrap(text), hints=hints)


def _front_matter(text: str) -> tuple[str, dict[str, str]]:
    m = _FRONT.match(text)
    if not m:
        return text, {}
    try:
        data = yaml.load(m.group(1), Loader=_StringLoader)
    except yaml.YAMLError:
        data = None
    hints = {}
    if isinstance(data, dict):
        for key in ("title", "date", "council", "committee"):
            value = data.get(key)
            if value not in (None, ""):
                hints[key] = str(value).strip()
    return text[m.end():], hints


class _StringLoader(yaml.SafeLoader):
    """Front matter with every scalar read as a string: a date like 2021-02-30 stays text."""


_StringLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def _markdown(text: str) -> str:
    text = _COMMENT.sub("", text)
    text = re.sub(r"\^([^\^\s]{1,4})\^", r"\1", text)  # 4^th^ → 4th
    out = []
    for line in text.split("\n"):
        line = _QUOTE.sub("", line)
        if m := _HEADING.match(line):
            line = "## " + m.group(1)
        else:
            line = _MD_BULLET.sub(r"\1- ", line)
        if line.endswith("\\"):  # pandoc's hard line break
            line = line[:-1].rstrip() + "  "
        out.append(line)
    return "\n".join(out)


def unwrap(text: str) -> str:
    """Join hard-wrapped lines; keep every line break the author meant."""
    lines = text.split("\n")
    inner = [len(a.rstrip()) for a, b in zip(lines, lines[1:]) if a.strip() and b.strip()]
    if len(inner) < _MIN_WRAPPED_LINES:
        return "\n".join(ln.rstrip() for ln in lines)
    width = sorted(inner)[int(0.9 * (len(inner) - 1))]
    if _unwrapped(lines, inner, width):
        return _line_per_paragraph(lines)
    out: list[str] = []
    prev: str | None = None  # the previous physical line
    for line in lines:
        current = line.rstrip()
        if prev is None or not prev.strip() or not current.strip():
            out.append(("\n" if out else "") + current)
        else:
            sep = _separator(prev, current, width)
            out.append(sep + (current if sep.startswith("\n") else current.strip()))
        prev = line
    return re.sub(r"\n{3,}", "\n\n", "".join(out))


def _unwrapped(lines: list[str], inner: list[int], width: int) -> bool:
    """A file written a paragraph to a line, with no blank lines between: few of its lines come
    near the longest (a wrapped file's lines mostly end close to its width)."""
    near = sum(1 for n in inner if n >= 0.8 * width) / len(inner)
    blank = sum(1 for ln in lines if not ln.strip())
    return near < _WRAPPED_SHARE and blank * 10 < len(lines)


def _line_per_paragraph(lines: list[str]) -> str:
    """Each line its own paragraph, except a line that runs on from a long unfinished one
    (lowercase after no sentence end): a stray hard break."""
    out: list[str] = []
    prev = ""
    for line in lines:
        current = line.rstrip()
        body = current.strip()
        if not body:
            prev = ""
            continue
        if (prev and body[:1].islower() and not prev.endswith(_TERMINAL + (",",))
                and len(prev.split()) >= _RUN_ON_WORDS):
            out[-1] += " " + body
            prev = out[-1]
            continue
        out.append(current)
        prev = current
    return "\n\n".join(out)


def _separator(prev: str, current: str, width: int) -> str:
    """What stands between two physical lines: a paragraph break, a line break, or a join."""
    body = current.strip()
    starts_item = bool(LABEL_START.match(body) or BULLET_START.match(body)
                       or body.startswith(("## ", "|")))
    if starts_item or prev.endswith("  ") or prev.lstrip().startswith(("## ", "|")):
        return "\n"
    last = prev.rstrip()
    if len(last) + 1 + len(body.split()[0]) <= width:
        return "\n\n" if last.endswith(_TERMINAL) else "\n"
    return "" if last.endswith("-") and last[-2:-1].isalpha() and body[:1].islower() else " "
