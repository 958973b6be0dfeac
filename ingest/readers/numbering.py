"""Word's automatic list numbers (``numbering.xml``), counted the way Word displays them.

Counters belong to the abstract numbering definition, not to each ``w:num`` instance: Word
continues one sequence across instances that share a definition, and an instance carrying
``w:lvlOverride/w:startOverride`` restarts the overridden levels the first time it is used
(ECMA-376 §17.9; Word's behaviour, which other renderers had to learn). Using a level resets
the deeper ones, unless a level's ``w:lvlRestart`` says otherwise.
"""

import re
from dataclasses import dataclass

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LEVELS = 9


@dataclass(frozen=True)
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: restart after this 1-based level; 0 = never
    legal: bool = False  # w:isLgl: every level shown in decimal
    style: str | None = None  # w:pStyle: the paragraph style bound to this level


class Numbering:
    """Markers for numbered paragraphs, fed in document order."""

    def __init__(self, root, numbering_of_style=lambda style: None):
        self._abstract: dict[str, dict[int, Level]] = {}
        self._links: dict[str, str] = {}  # abstractNumId -> numbering style it links to
        self._num: dict[str, tuple[str, dict[int, int], dict[int, Level]]] = {}
        self._style_num = numbering_of_style
        self._counters: dict[str, list[int | None]] = {}
        self._seen: set[str] = set()
        self._level_cache: dict[tuple[str, str], list[Level]] = {}
        if root is not None:
            self._load(root)

    def _load(self, root) -> None:
        for abstract in root.iterchildren(W + "abstractNum"):
            aid = abstract.get(W + "abstractNumId")
            self._abstract[aid] = {_int(lvl.get(W + "ilvl"), 0): _level(lvl)
                                   for lvl in abstract.iterchildren(W + "lvl")}
            link = abstract.find(W + "numStyleLink")
            if link is not None:
                self._links[aid] = link.get(W + "val")
        for num in root.iterchildren(W + "num"):
            ref = num.find(W + "abstractNumId")
            if ref is None:
                continue
            starts, levels = {}, {}
            for override in num.iterchildren(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0)
                start = override.find(W + "startOverride")
                if start is not None:
                    starts[ilvl] = _int(start.get(W + "val"), 0)
                lvl = override.find(W + "lvl")
                if lvl is not None:
                    levels[ilvl] = _level(lvl)
            self._num[num.get(W + "numId")] = (ref.get(W + "val"), starts, levels)

    def _abstract_of(self, num_id: str) -> str | None:
        """The abstract definition behind an instance, following one ``numStyleLink``."""
        aid = self._num[num_id][0]
        style = self._links.get(aid)
        if style is not None:
            linked = self._style_num(style)
            if linked and linked[0] in self._num:
                aid = self._num[linked[0]][0]
        return aid if aid in self._abstract else None

    def _levels(self, num_id: str, aid: str) -> list[Level]:
        """The instance's nine levels: its overrides, else the abstract definition's."""
        key = (num_id, aid)
        if key not in self._level_cache:
            overrides, defined = self._num[num_id][2], self._abstract[aid]
            self._level_cache[key] = [overrides.get(i) or defined.get(i) or Level(text="")
                                      for i in range(_LEVELS)]
        return self._level_cache[key]

    def marker(self, num_pr: tuple[str | None, int | None] | None, style: str | None) -> str:
        """The marker Word shows before this paragraph: ``1.``, ``2.3``, ``(a)``, ``-`` for a
        bullet, or "" when the paragraph is not numbered. Advances the counters."""
        if not num_pr or num_pr[0] in (None, "0") or num_pr[0] not in self._num:
            return ""
        num_id, ilvl = num_pr
        aid = self._abstract_of(num_id)
        if aid is None:
            return ""
        if ilvl is None:  # a style's list: the level bound to that style, else the first
            ilvl = next((i for i, lvl in self._abstract[aid].items() if lvl.style == style), 0)
        ilvl = min(max(ilvl, 0), _LEVELS - 1)
        counters = self._counters.setdefault(aid, [None] * _LEVELS)
        starts = self._num[num_id][1]
        if num_id not in self._seen:
            self._seen.add(num_id)
            for level in starts:
                if 0 <= level < _LEVELS:
                    counters[level] = None
        levels = self._levels(num_id, aid)
        level = levels[ilvl]
        start = starts.get(ilvl, level.start)
        counters[ilvl] = start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, _LEVELS):
            restart = levels[deeper].restart
            if restart is None or (restart != 0 and ilvl < restart):
                counters[deeper] = None
        if level.fmt == "bullet":
            return "-"
        if level.fmt == "none":
            return re.sub(r"%\d", "", level.text).strip()
        text = level.text
        for i in range(_LEVELS - 1, -1, -1):  # %9 before %1
            placeholder = f"%{i + 1}"
            if placeholder in text:
                shown = levels[i]
                value = counters[i] if counters[i] is not None else starts.get(i, shown.start)
                fmt = "decimal" if level.legal and i < ilvl else shown.fmt
                text = text.replace(placeholder, format_number(value, fmt))
        return text.strip()


def _level(lvl) -> Level:
    def val(tag, default=None):
        el = lvl.find(W + tag)
        return el.get(W + "val", default) if el is not None else default

    legal = lvl.find(W + "isLgl")
    return Level(start=_int(val("start"), 1), fmt=val("numFmt", "decimal") or "decimal",
                 text=val("lvlText", "") or "", restart=_int(val("lvlRestart")),
                 legal=legal is not None and legal.get(W + "val") not in ("0", "false", "off"),
                 style=val("pStyle"))


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def format_number(n: int, fmt: str) -> str:
    """``n`` as Word writes it in ``w:numFmt`` ``fmt``; unknown formats fall back to decimal."""
    match fmt:
        case "lowerLetter" | "upperLetter":
            # Word repeats the letter past z: 27 is "aa", 28 "bb".
            letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)
            return letter.upper() if fmt == "upperLetter" else letter
        case "lowerRoman" | "upperRoman":
            if n <= 0 or n >= 4000:
                return str(n)
            out, rest = [], n
            for value, numeral in _ROMAN:
                while rest >= value:
                    out.append(numeral)
                    rest -= value
            return "".join(out).upper() if fmt == "upperRoman" else "".join(out)
        case "decimalZero":
            return f"{n:02d}"
        case "ordinal":
            suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        case _:
            return str(n)
