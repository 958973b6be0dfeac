"""Recognise a paper's structure: headings, numbered paragraphs, and the blocks officers care
about (resolutions, recommendations, actions). Pure functions: text in, paragraphs out, with
offsets so that ``text[p.start:p.end] == p.text``.

Rules, in the order a committee clerk would read the page:
- A line that starts with a printed label (``ingest.labels``: ``1.``, ``12.1``, ``24/18``,
  ``Minute 84``, ``(a)``...) starts a paragraph labelled as printed. A lettered, roman or
  bracketed item inside a numbered one is labelled with its path (``88(1)``, ``3(h)(1)``), and
  so is a list restarting at 1 after a lead-in ending with a colon.
- Bullets and unnumbered text after a labelled paragraph belong to it (a list stays with its
  lead-in; text broken by a page break is rejoined), until the next label or heading. A short
  line that heads nothing (the paper's last words, "Meeting closed 9.16 pm", a sentence leading
  into a list with a colon) is text, not a heading.
- Under a "Resolved" / "Recommendations" / "Actions" heading, a list that restarts at 1 is
  labelled "Resolved 1", "Recommendations 2", ...
- Unnumbered text under a heading is labelled with the heading, plus " ¶n" when the heading
  has several such paragraphs.
"""

import re
from dataclasses import replace

from ingest.labels import BULLET_START, Label, is_bullet, match_label
from ingest.models import Paragraph

_BLANK = re.compile(r"^[\s\u00a0\u200b]*$")
# "- 20.1 ...", "- a) ...": a bullet before a dotted number or a printed letter or numeral.
_BULLETED_NUMBER = re.compile(r"^[ \t\u00a0]*[-*•·▪◦][ \t\u00a0]+(?=\d{1,3}\.\d|\(?[a-z]{1,4}\)[ \t])")
_SUB_STYLES = ("paren", "alpha", "roman", "upper", "upper_roman", "inner")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]+(.+?)[ \t#]*$")
_INLINE_RESOLVED = re.compile(r"^\s*(?:(?:it\s+was\s+)?(?:RESOLVED|Resolved)\b|(?:It was )?AGREED\b|"
                              r"DECISION\s*:|Decision\s*:)")
DECISION_LINE = _INLINE_RESOLVED  # "RESOLVED that…", "It was AGREED", "DECISION:"
# "Next meeting: Tuesday 2nd July": the minutes' closing formula is no part of the last item.
_CLOSING = re.compile(r"^\W*(?:(?:date|time|venue)\s+(?:and\s+\w+\s+)?of\s+(?:the\s+)?"
                      r"next\s+meeting\b|(?:the\s+)?next\s+meeting\b|"
                      r"the\s+next\s+[\w&,' -]{0,80}?\bmeeting\b)", re.I)
_BOILERPLATE = re.compile(r"^\s*this page is intentionally left blank\s*$", re.I)
_TERMINAL = (".", ";", ",", "!", "?", "”", '"', ")")
_BARE_NUMBER = re.compile(r"^[ \t]*(\d{1,2}) (?=[A-Z][a-z])")
_SIDE_LABEL = re.compile(r"^[ \t]*([A-Z][\w ]{0,30}:)\t+(?=\S)")
_RECORD = re.compile(r"^[ \t]*[A-Z][\w ]{0,40}\??:[ \t]+\S")
_HEADING_WORDS = 10
_LEAD_IN_WORDS = 5  # a colon-ended line this long, mostly in lower case, is a sentence
_CLOCK_END = re.compile(r"\b\d{1,2}[.:]\d{2}\s*(?:[ap]\.?m\.?|hrs|hours)?$", re.I)
_JOINING = {"and", "or", "&", "of", "the", "a", "an"}  # words no sentence ends on
_TITLE_WORDS = 8
_SECTION_WORDS = 5
_SENTENCE_END = (".", ";", ":", "!", "?")

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
    if re.match(r"[A-Z][A-Z ]+:\s*\S", text):  # "APOLOGIES: Cllrs ...": a record, not a heading
        return False
    if text.upper() != text and len(text.split()) > _HEADING_WORDS:  # a sentence without its stop
        return False
    if text.endswith(_TERMINAL) or text[0].islower() or text[0].isdigit():
        return False
    if "," in text and text.upper() != text:
        # "Clare Curran, Cabinet Member ..." is a name line, unless numbered paragraphs follow it.
        return bool(next_line and label_of(next_line))
    return True


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        spans.append((pos, pos + len(body)))
        pos += len(line)
    return spans


def label_of(line: str) -> Label | None:
    """The printed label starting ``line``; a dotted number, letter or numeral after a bullet
    counts too ("- a) Provide support": item (a) of the paragraph above)."""
    label = match_label(line)
    if label is None and (m := _BULLETED_NUMBER.match(line)):
        inner = match_label(line[m.end():])
        if inner is not None and inner.style in ("num", "alpha", "roman"):
            return Label(inner.text, inner.style, inner.value, inner.end + m.end())
    return label


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.paragraphs: list[dict] = []
        self.current: dict | None = None
        self.heading: str | None = None
        self.kind: str | None = None
        self.prefix: str | None = None
        self.restart = False  # inside a block whose list restarted at 1
        self.restart_top: int | None = None
        self.since_heading = True  # no paragraph yet under the current heading
        self.stack: list[Label] = []
        self.headings = 0  # headings seen so far
        self.top_heading = 0  # headings seen when the current top-level label was printed  # the labels the current one nests in, outermost first
        self.outline = False  # the heading is a bulleted outline's section name
        self.saved: list[Label] = []  # the stack the last heading closed
        # A list restarted inside a numbered item: (the stack before it, its first paragraph).
        self.resumable: tuple[list[Label], int] | None = None

    def close(self) -> None:
        if self.current:
            self.paragraphs.append(self.current)
        self.current = None

    def open(self, label: str | None, start: int, end: int, kind: str | None) -> None:
        self.close()
        self.current = {"label": label, "start": start, "end": end, "heading": self.heading,
                        "kind": kind}
        self.since_heading = False

    def resolves(self, label: str) -> bool:
        """An item listed under its parent's "RESOLVED that:" is part of the decision, and so
        are its siblings that follow."""
        prev = self.current if self.current is not None else \
            (self.paragraphs[-1] if self.paragraphs else None)
        if prev is None or not prev["label"] or "(" not in label:
            return False
        parent = label[:label.rindex("(")]
        if prev["label"] == parent:
            last = self.text[prev["start"]:prev["end"]].rstrip().rsplit("\n", 1)[-1]
            return bool(_INLINE_RESOLVED.match(last) and last.endswith(":"))
        sibling = "(" in prev["label"] and prev["label"][:prev["label"].rindex("(")] == parent
        return sibling and prev.get("kind") == "resolution"

    def extend(self, end: int) -> None:
        assert self.current is not None
        self.current["end"] = end

    def set_heading(self, heading: str, lead_in: bool = False) -> None:
        """A heading closes the item above; one ending with a colon ("Committee resolved to:")
        leads into a list that stays inside that item, and so does a Resolved/Recommendations
        heading inside a numbered minute ("RESOLVED that:" inside minute 84)."""
        inside = self.current is not None and self.current["label"] is not None
        titled = inside and len(self.stack) == 1 and self._title_alone()
        self.headings += 1
        self.close()
        self.heading = heading
        self.kind, self.prefix = block_kind(heading)
        self.restart = False
        self.restart_top = None
        self.since_heading = True
        self.saved = self.stack or self.saved
        keeps = (lead_in or titled or (self.kind and inside)) and self.stack \
            and self.stack[0].style == "num"
        if not keeps:
            self.stack = []
        self.outline = False

    def _title_alone(self) -> bool:
        """The current item is only its numbered title so far ("7. COUNCILLORS' REPORTS"): a
        heading straight after it names a part of that item, not a new section."""
        assert self.current is not None
        line = self.text[self.current["start"]:self.current["end"]].strip()
        return "\n" not in line and not line.endswith(_SENTENCE_END) \
            and len(line.split()) <= _TITLE_WORDS + 1

    def accept(self, label: Label) -> str | None:
        """The label a line gets, as a path when it nests; None when it is no label here."""
        if label.style == "num":
            return self._number(label)
        style, value = label.style, label.value
        letter = label.text.strip("()")
        if style in ("roman", "upper_roman") and len(letter) == 1:
            as_letter = "alpha" if style == "roman" else "upper"
            if self._has(as_letter, ord(letter.lower()) - 97):  # "(i)" after "(h)" is a letter
                style, value = as_letter, ord(letter.lower()) - 96
        same = next((i for i, s in enumerate(self.stack) if s.style == style), None)
        if not self.stack and value > 1:
            # "b)" after a sub-heading inside item 2 ("a) ... / Proposals / b) ..."): item 2's
            # list goes on.
            prior = next((i for i, s in enumerate(self.saved) if s.style == style), None)
            if prior is not None and 0 < value - self.saved[prior].value <= 3:
                self.stack, same = self.saved, prior
        elif not self.stack and value == 1 and self._interrupted(style):
            # A list restarting after headings inside item 3 ("3. / a) ... / Sub-heading /
            # a) ..."): item 3's list again, unless 3's own list resumes later (see _resume).
            self.resumable = (list(self.saved), len(self.paragraphs))
            self.stack = self.saved[:-1]
        elif value > 1 and not self._fits(style, value) and self._resume(style, value):
            same = next(i for i, s in enumerate(self.stack) if s.style == style)
        if same is None and value > 1 and self.stack and self.stack[-1].style in _SUB_STYLES \
                and self.stack[-1].value == value - 1:
            same = len(self.stack) - 1  # "a." then "(2)": the list changed its marks midway
        elif value != 1 and not (same is not None and 0 < value - self.stack[same].value <= 3):
            return None
        if same is not None:
            del self.stack[same:]
        self.stack.append(Label(label.text, style, value, label.end))
        return self._path()

    def _fits(self, style: str, value: int) -> bool:
        return any(s.style == style and 0 < value - s.value <= 3 for s in self.stack)

    def _resume(self, style: str, value: int) -> bool:
        """"b)" after a restarted a)-d) inside item 3, where 3(a) was the last item before the
        restart: the restarted list was inside 3(a) all along, so its labels become 3(a)(a)...
        and this one is 3(b)."""
        if self.resumable is None:
            return False
        saved, first = self.resumable
        if saved[-1].style != style or not 0 < value - saved[-1].value <= 3:
            return False
        self.resumable = None
        outer, inner = _path(saved[:-1]), _path(saved)
        for p in [*self.paragraphs[first:], self.current]:
            if p is not None and p["label"] and p["label"].startswith(outer + "("):
                p["label"] = inner + p["label"][len(outer):]
        self.stack = list(saved)
        return True

    def _interrupted(self, style: str) -> bool:
        """Headings closed a numbered item's list of this style, and no number came since."""
        return len(self.saved) >= 2 and self.saved[0].style == "num" \
            and self.saved[-1].style == style

    def _has(self, style: str, value: int) -> bool:
        return any(s.style == style and s.value == value for s in self.stack)

    def _number(self, label: Label) -> str | None:
        plain = label.value > 0 and label.text.isdigit()
        self.saved, self.resumable = [], None
        if self.prefix and plain and (label.value == 1 and self.since_heading or self.restart):
            if label.value == 1 or (self.restart_top is not None
                                    and 0 < label.value - self.restart_top <= 3):
                self.restart = True
                self.restart_top = label.value
                return f"{self.prefix} {label.value}"
            return None
        inner = next((i for i, s in enumerate(self.stack) if s.style == "inner"), None)
        if plain and inner is not None and label.value == self.stack[inner].value + 1:
            del self.stack[inner:]
            self.stack.append(Label(label.text, "inner", label.value, label.end))
            return self._path()
        if plain and label.value == 1 and self.stack and (self._lead_in() or (
                self.stack[0].value > 1 and len(self.stack) == 1
                and self.headings == self.top_heading and self.current is not None
                and self.current["label"] == self.stack[0].text)):
            # "125. Declarations of Interest" then "1. Mr Balfour declared…": a list inside
            # the item (no heading between), not a new sequence
            self.stack.append(Label(label.text, "inner", 1, label.end))
            return self._path()
        self.stack = [label]
        self.top_heading = self.headings
        return label.text

    def _lead_in(self) -> bool:
        """The current paragraph ends with a colon: a list follows it."""
        if self.current is None or self.current["label"] is None:
            return False
        return self.last_char() == ":"

    def last_char(self) -> str:
        """The current paragraph's last printed character ("" if none), found from its end so
        that asking costs nothing however long the paragraph grows."""
        if self.current is None:
            return ""
        k = self.current["end"] - 1
        while k >= self.current["start"] and self.text[k].isspace():
            k -= 1
        return self.text[k] if k >= self.current["start"] else ""

    def _path(self) -> str:
        return _path(self.stack)


def _path(stack: list[Label]) -> str:
    """A nested label written as its path: ``3(h)(1)``."""
    parts = []
    for i, s in enumerate(stack):
        if s.style in _SUB_STYLES and (i > 0 or s.style == "upper"):  # "A." alone is "(A)"
            parts.append(s.text if s.text.startswith("(") else f"({s.text})")
        else:
            parts.append(s.text)
    return "".join(parts)


def place(paragraphs: list[Paragraph], spans: list) -> list[Paragraph]:
    """Give each paragraph the pages and boxes of the printed lines it is made of (spans are in
    text order, so one pass serves all)."""
    out, k = [], 0
    for p in paragraphs:
        while k < len(spans) and spans[k].end <= p.start:
            k += 1
        j, boxes = k, []
        while j < len(spans) and spans[j].start < p.end:
            boxes.append((spans[j].page, *spans[j].box))
            j += 1
        pages = tuple(dict.fromkeys(b[0] for b in boxes))
        out.append(replace(p, pages=pages, boxes=tuple(boxes)))
    return out


def parse_paragraphs(text: str) -> list[Paragraph]:
    """Split a paper's text into labelled paragraphs, in time linear in the text."""
    b = _Builder(text)
    spans = _line_spans(text)
    lines = [text[s:e] for s, e in spans]
    nxt = [None] * (len(lines) + 1)  # the next non-blank line after each line
    alone = [False] * (len(lines) + 1)  # that line is a block of one line
    for k in range(len(lines) - 1, -1, -1):
        if k + 1 < len(lines) and not _BLANK.match(lines[k + 1]):
            nxt[k] = lines[k + 1]
            alone[k] = k + 2 >= len(lines) or bool(_BLANK.match(lines[k + 2]))
        else:
            nxt[k], alone[k] = nxt[k + 1], alone[k + 1]
    i, label_line, bullet_line, bare, record_line = 0, -2, -2, 0, -9
    label_rest = ""  # the text after the last label, on its line
    levels: dict[str, int] = {}  # bullet marks in order of first use: outline levels
    while i < len(lines):
        line, (start, end) = lines[i], spans[i]
        if _BLANK.match(line) or _BOILERPLATE.match(line):
            i += 1
            continue
        heading = _MD_HEADING.match(line)
        if heading and not label_of(heading.group(1)):
            b.set_heading(_heading_text(line), _colon_end(line))
            i += 1
            continue
        if heading:  # "## 19.09.03 Minutes": a numbered title is a numbered paragraph
            line = " " * (heading.start(1)) + heading.group(1)
        found = label_of(line)
        if found is not None:
            bare = 0  # a printed label ends a run of bare numbers
        elif m := _BARE_NUMBER.match(line):
            # "1 Commence ..." / "2 Commence ...": bare numbers count as labels only in a run
            # that starts at 1 and goes up by one ("12 members of the public" is a count).
            n = int(m.group(1))
            ahead = _BARE_NUMBER.match(nxt[i] or "")
            if (n == 1 and ahead and int(ahead.group(1)) == 2) or (n > 1 and bare == n - 1):
                found, bare = Label(m.group(1), "num", n, m.end()), n
        label = b.accept(found) if found else None
        if label:
            s = start + len(line) - len(line.lstrip(" \t\u00a0"))
            kind = b.kind or ("resolution" if _INLINE_RESOLVED.match(line[found.end:])
                              or b.resolves(label) else None)
            b.open(label, s, end, kind)
            label_line, label_rest = i, line[found.end:]
            i += 1
            continue
        # A block: this line and the non-blank lines that follow it without a gap.
        side = _SIDE_LABEL.match(line) if b.current is None or b.current["label"] is None else None
        j = i
        while j + 1 < len(lines) and not _BLANK.match(lines[j + 1]) \
                and not _MD_HEADING.match(lines[j + 1]) and not label_of(lines[j + 1]) \
                and not is_bullet(lines[j + 1]) and not is_bullet(line):
            j += 1
        block = lines[i:j + 1]
        block_start = start + len(line) - len(line.lstrip(" \t\u00a0\u200b"))
        block_end = spans[j][1]
        bullet = is_bullet(line)
        following = nxt[j]
        # No gap after "5. Title", or the first block after a title-only "5. Apologies".
        under_label = b.current is not None and (label_line == i - 1 or (
            b.current["label"] is not None and b.current["end"] == spans[label_line][1]
            and (_title_only(label_rest) and not _marked_heading(block)
                 or not label_rest.strip())))
        level = levels.setdefault(_mark(line), len(levels)) if bullet else None
        if side and not bullet:
            # "Present:<tab>Cllrs ...": a side label in a column of its own heads its text.
            b.set_heading(side.group(1).strip())
            b.open(None, start + side.end(), block_end, b.kind)
        elif bullet and level == 0 and following and is_bullet(following) \
                and levels.get(_mark(following), len(levels)) > 0 \
                and _is_section_name(BULLET_START.sub("", line.lstrip(" \t\u00a0"), 1)):
            # "• Updates" over "o ..." items: an outline's top-level section name is a heading.
            b.set_heading(_heading_text(BULLET_START.sub("", line.lstrip(" \t\u00a0"), 1)))
            b.outline = True
        elif bullet and b.outline and (b.current is None or (b.current.get("level") is not None
                                               and level <= b.current["level"]
                                               and b.current["label"] is None)):
            # An outline with no lead-in: each item at its top level is a paragraph.
            kind = b.kind or ("resolution" if _INLINE_RESOLVED.match(line) else None)
            b.open(None, block_start, block_end, kind)
            b.current["level"] = level
            bullet_line = j
        elif not bullet and not under_label and bullet_line != i - 1 \
                and _is_heading_block(block, following) and not _continues(b, block) \
                and not _statement(b, block, following) \
                and not _record(block, following, alone[j], record_line == i - 2) \
                and not (not re.search(r":(?!\d)", " ".join(block))
                         and _in_list(b, following, alone[j])):
            b.set_heading(_heading_text(" ".join(block)), _colon_end(block[-1]))
        elif len(block) == 1 and _RECORD.match(line) and _record(block, following, alone[j],
                                                                 record_line == i - 2):
            b.open(None, block_start, block_end, b.kind)
            record_line = i
        elif b.current is not None and b.current["label"] is not None and not under_label \
                and not bullet and _CLOSING.match(line):
            b.open(None, block_start, block_end, b.kind)
        elif b.current is not None and (b.current["label"] is not None or bullet
                                        or bullet_line == i - 1 or _continues(b, block)):
            if bullet or bullet_line == i - 1:
                bullet_line = j
            b.extend(block_end)
            if b.current["kind"] is None and any(_INLINE_RESOLVED.match(ln) for ln in block):
                b.current["kind"] = "resolution"
        else:
            kind = b.kind or ("resolution" if _INLINE_RESOLVED.match(line) else None)
            b.open(None, block_start, block_end, kind)
            if bullet:
                bullet_line = j
        i = j + 1
    b.close()
    return _finish(text, b.paragraphs)


def _statement(b: _Builder, block: list[str], following: str | None) -> bool:
    """A short block that reads as a heading but heads nothing: the paper's last words ("The
    meeting closed at 9.16 pm"), a line ending on a clock time once the minutes have begun, or
    a sentence leading into a list inside a numbered item ("It was agreed to donate as
    follows:")."""
    text = one_line(clean_text(" ".join(block)))
    if following is None:
        return not _colon_end(text)  # "Supporting documents:" still names what was to follow
    started = any(p["label"] is not None for p in b.paragraphs) or (
        b.current is not None and b.current["label"] is not None)
    if started and _CLOCK_END.search(text):
        return True
    inside = b.current is not None and b.current["label"] is not None
    words = text.rstrip(" :-–").split()
    return inside and _colon_end(text) and len(words) >= _LEAD_IN_WORDS \
        and sum(w[:1].islower() for w in words[1:]) > len(words[1:]) / 2


def _record(block: list[str], following: str | None, alone: bool, after_record: bool) -> bool:
    """"Decision status: Approved" / "Is Key decision?: No": a run of one-line "key: value"
    records, each its own paragraph, not a heading over the next."""
    if len(block) != 1 or not _RECORD.match(block[0]):
        return False
    if after_record:
        return True
    return bool(following and alone and _RECORD.match(following)
                and _is_heading_block([following], None))


def _colon_end(line: str) -> bool:
    """"Council is recommended to approve: -" ends with its colon."""
    return line.rstrip(" \t-–#*").endswith(":")


def _mark(line: str) -> str:
    """A bullet line's mark with its indent: what tells an outline's levels apart."""
    m = BULLET_START.match(line.lstrip(" \t\u00a0").rstrip() + " ")
    indent = (len(line) - len(line.lstrip(" \t\u00a0"))) // 2  # one space is no nesting
    return " " * indent + (m.group(0).strip() if m else "")


def _is_section_name(text: str) -> bool:
    """A few words naming a section: no sentence end, no colon, no figures."""
    text = one_line(clean_text(text))
    return 0 < len(text.split()) <= _SECTION_WORDS and not re.search(r"[.:;,!?\d]", text)


def _title_only(rest: str) -> bool:
    """A labelled line that is only a short title ("5. Apologies"): what follows is its body."""
    title = rest.strip()
    return bool(title) and not title.endswith(_SENTENCE_END) and len(title.split()) <= _TITLE_WORDS


def _marked_heading(block: list[str]) -> bool:
    """A block printed as a heading: wholly bold (``**...**``) or wholly in capitals."""
    raw = " ".join(ln.strip() for ln in block)
    if raw.startswith("**") and raw.endswith("**"):
        return True
    text = one_line(clean_text(raw))
    return text.upper() == text and any(c.isalpha() for c in text)


def _in_list(b: _Builder, following: str | None, alone: bool) -> bool:
    """A short unpunctuated line amid others like it is an item of an unmarked list, not a
    heading: the text before it (a heading, or an unlabelled line) ends without a full stop,
    and the next block is one such line too."""
    if following is None or not alone or label_of(following) or _MD_HEADING.match(following) \
            or following.rstrip().endswith(_SENTENCE_END):
        return False
    if b.current is None:
        return b.heading is not None and bool(b.paragraphs)  # not in the title block
    if b.current["label"] is not None:
        return False
    return b.last_char() not in _SENTENCE_END


def _continues(b: _Builder, block: list[str]) -> bool:
    """Text that carries on the sentence of the paragraph above (a page break split it)."""
    if b.current is None:
        return False
    last = b.last_char()
    first = block[0].lstrip(" \t\u00a0-*•·")
    if not last or last in (".", ":", ";", "!", "?"):
        return False
    if first[:1].islower():
        return True
    # "... R Robson and" / "P Clarke, ...": a sentence cannot end on a joining word.
    tail = b.text[max(b.current["start"], b.current["end"] - 12):b.current["end"]].split()
    return bool(tail) and tail[-1].lower() in _JOINING and not label_of(block[0]) \
        and not is_bullet(block[0])


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
