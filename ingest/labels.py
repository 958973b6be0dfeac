"""Printed paragraph labels: the numbers councils put at the start of a paragraph.

Forms (each at a line's start, followed by space, a tab, or a capitalised word):
``12.`` ``12)`` ``12<tab>`` ``3.1`` ``16.07.2`` ``24/18`` ``16/09/6/15.1`` ``PC12/15``
``Minute 84`` ``Item 6`` ``Risk 3`` ``(1)`` ``1)`` ``(a)`` ``a)`` ``a.`` ``(iv)`` ``iv.`` ``I.``
``A.``. A label is at most ~40 characters and never a sentence: it is made of numbers, letters
used as numbers, and the word that names the numbering (``Minute``, ``Item``).
"""

import re
from dataclasses import dataclass

_AFTER = r"(?=[ \t\u00a0]+\S|\t)"  # the label is followed by space or a tab, then text
_NAMED = re.compile(
    r"^(?P<word>Minute|Min\.?|Item|Agenda\s+Item|Risk|Action|Recommendation|Resolution|Decision)"
    r"\s+(?:No\.?\s*)?(?P<num>\d{1,4}[a-z]?(?:[./]\d{1,3})*)\s*[.:)\-–]?" + _AFTER)
_CODE = re.compile(r"^(?P<num>[A-Z]{1,4}\s?\d{1,4}(?:/\d{1,4})+)[.:)]?" + _AFTER)
_SLASH = re.compile(r"^(?P<num>\d{1,4}(?:/\d{1,4})+(?:\.\d{1,3})*)[.:)]?" + _AFTER)
_DOTTED = re.compile(r"^(?P<num>\d{1,4}(?:\.\d{1,3})+)\.?(?=[ \t\u00a0]+[^\sa-z]|\t)")
# "2 .<tab>To register": a stray space before the full stop.
_SINGLE = re.compile(r"^(?P<num>\d{1,4})(?:[.)]" + _AFTER + r"|[ ]\.(?=\t|[ \u00a0]+[A-Z])"
                     r"|\.(?=[A-Z])|(?=\t|[ \u00a0]{2,}\S))")
# "4.5vii)", "5vi)", "12ii)": an item's number with its sub-item's letter or numeral run on.
# "12i)and iv)": one entry answering two of them.
_NUM_SUB = re.compile(r"^(?P<num>\d{1,4}(?:\.[ ]?\d{1,3})*)(?P<sub>[ivx]{1,5}|[a-z])\)"
                      r"(?:[ ]?(?:and|&)[ ]?\(?(?P<also>[ivx]{1,5}|[a-z])\))?" + _AFTER)
# "2 SPECIAL ISSUES": a number, one space, and a title wholly in capitals ("7, SECRETARY’S
# REPORT": a comma typed for the full stop).
_CAPS_TITLE = re.compile(r"^(?P<num>\d{1,3}),? (?=[A-Z][A-Z'’&,/ -]*[A-Z][ \t]*$)")
# "3778 - Llandogo Play Area": a minute number set off by a dash.
_DASHED = re.compile(r"^(?P<num>\d{1,4})[ \t\u00a0]+[-–][ \t\u00a0]+(?=[A-Z])")
_PAREN_NUM = re.compile(r"^\((?P<num>\d{1,2})\)[.:]?" + _AFTER)  # "(10): Complaints" too
_ALPHA = re.compile(r"^(?:\((?P<p>[a-z])\)|(?P<b>[a-z])[.)])" + _AFTER
                    + r"|^(?P<c>[a-z])\)(?=[A-Z][a-z])")  # "b)Commercial waste": no space
_ROMAN = re.compile(r"^(?:\((?P<p>[ivx]{1,5})\)|(?P<b>[ivx]{1,5})[.)])" + _AFTER)
_UPPER = re.compile(r"^(?:\((?P<p>[A-Z])\)|(?P<b>[A-Z])[.)])(?=[ \t\u00a0]+[A-Z][a-z])")
_UPPER_ROMAN = re.compile(r"^(?:\((?P<p>[IVX]{1,5})\)|(?P<b>[IVX]{1,5})[.)])(?=[ \t\u00a0]+\S)")
_BULLET = re.compile(r"^(?:[-*+–](?=[ \t\u00a0])|[•·▪◦●○■□❖➢►✓\uf0b7\uf0a7\uf076\uf0d8]|o(?=[ \t]))"
                     r"[ \t\u00a0]*")
_BARE = re.compile(r"\d{1,4}(?:\.\d{1,3})*\.|\d{1,4}(?:\.\d{1,3})+|\d{1,4}/\d{1,4}(?:/\d{1,4})*|"
                   r"[A-Z]{1,4}\s?\d{1,4}/\d{1,4}|\((?:\d{1,2}|[a-z]|[ivx]{1,5})\)")
_YEARS = re.compile(r"^(?:19|20)\d{2}/\d{2}$")  # 2017/18, a financial year
_DATE_LIKE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")
_TIME_OR_MONEY = re.compile(r"^\d{1,4}\.\d{2}$")
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10}

# For readers that only need to know whether a line starts an item.
LABEL_START = re.compile(
    r"^(?!(?:19|20)\d{2}/\d{2}\b)(?:\d{1,4}(?:[./]\d{1,3})*(?:[ivx]{1,5}\)|[a-z]\)|[.):])?[ \t]|"
    r"\d{1,4}(?:[ivx]{1,5}|[a-z])\)[ ]?(?:and|&)[ ]?\(?(?:[ivx]{1,5}|[a-z])\)[ \t]|"
    r"\d{1,4}\.[A-Z]|\(?[a-zA-Z]{1,4}\)[ \t]|\(\d{1,2}\)[.:]?[ \t]|"
    r"[a-z]\.[ \t]|[IVX]{1,5}\.[ \t]|(?:Minute|Item|Agenda Item)\s+\d)")
BULLET_START = _BULLET


@dataclass(frozen=True)
class Label:
    text: str  # as printed, normalised: "12", "16.07.2", "24/18", "Minute 84", "(a)", "(iv)"
    style: str  # num | paren | alpha | roman | upper | upper_roman
    value: int  # its place in its sequence (1 for "1", "(a)", "(i)", "I"), 0 when not ordinal
    end: int  # where the text after the label starts in the line


def roman_value(s: str) -> int:
    total = 0
    values = [_ROMAN_VALUES.get(c, 0) for c in s.lower()]
    for i, v in enumerate(values):
        total += -v if i + 1 < len(values) and values[i + 1] > v else v
    return total


def match_label(line: str) -> Label | None:
    """The printed label that starts ``line`` (leading spaces allowed), or None. A label alone
    on its line ("124." over "Apologies and Substitutes", as ModernGov prints minutes) counts."""
    stripped = line.lstrip(" \t\u00a0")
    lead = len(line) - len(stripped)
    if _BARE.fullmatch(stripped.rstrip()) and not _YEARS.match(stripped.strip()):
        found = match_label(stripped.rstrip() + " X")
        return Label(found.text, found.style, found.value, len(line)) if found else None
    if not stripped[:1].isalnum() and stripped[:1] != "(":
        return None
    if m := _NAMED.match(stripped):
        word = " ".join(m.group("word").split()).rstrip(".")
        word = "Minute" if word == "Min" else word
        return Label(f"{word} {m.group('num')}", "num", _int(m.group("num")), lead + _rest(stripped, m))
    if m := _CODE.match(stripped):
        return Label(m.group("num").replace(" ", ""), "num", 0, lead + _rest(stripped, m))
    if (m := _SLASH.match(stripped)) and not _DATE_LIKE.match(m.group("num")) \
            and not re.search(r"/\d{4}$", m.group("num")) and not _YEARS.match(m.group("num")):
        return Label(m.group("num"), "num", 0, lead + _rest(stripped, m))
    if m := _NUM_SUB.match(stripped):
        num = m.group("num").replace(" ", "")  # "4. 4.4.5viii)": a stray space
        also = f" and ({m.group('also')})" if m.group("also") else ""
        return Label(f"{num}({m.group('sub')}){also}", "num", 0, lead + _rest(stripped, m))
    if (m := _DOTTED.match(stripped)) and not _time_or_money(stripped, m):
        return Label(m.group("num"), "num", 0, lead + _rest(stripped, m))
    if m := _SINGLE.match(stripped):
        return Label(m.group("num"), "num", int(m.group("num")), lead + _rest(stripped, m))
    if m := _DASHED.match(stripped):
        return Label(m.group("num"), "num", int(m.group("num")), lead + _rest(stripped, m))
    if m := _CAPS_TITLE.match(stripped):
        return Label(m.group("num"), "num", int(m.group("num")), lead + _rest(stripped, m))
    if m := _PAREN_NUM.match(stripped):
        return Label(f"({m.group('num')})", "paren", int(m.group("num")), lead + _rest(stripped, m))
    if m := _ROMAN.match(stripped):
        s = m.group("p") or m.group("b")
        return Label(f"({s})", "roman", roman_value(s), lead + _rest(stripped, m))
    if m := _ALPHA.match(stripped):
        s = m.group("p") or m.group("b") or m.group("c")
        return Label(f"({s})", "alpha", ord(s) - 96, lead + _rest(stripped, m))
    if m := _UPPER_ROMAN.match(stripped):
        s = m.group("p") or m.group("b")
        return Label(s, "upper_roman", roman_value(s), lead + _rest(stripped, m))
    if m := _UPPER.match(stripped):
        s = m.group("p") or m.group("b")
        return Label(s, "upper", ord(s) - 64, lead + _rest(stripped, m))
    return None


def _rest(stripped: str, m: re.Match) -> int:
    end = m.end()
    while end < len(stripped) and stripped[end] in " \t\u00a0":
        end += 1
    return end


def _int(num: str) -> int:
    digits = re.match(r"\d+", num)
    return int(digits.group()) if digits and num.isdigit() else 0


def _time_or_money(stripped: str, m: re.Match) -> bool:
    """``7.30 pm``, ``205.88`` at a line's start are a time or a sum, not a paragraph number."""
    num = m.group("num")
    after = stripped[m.end():].lstrip().lower()
    if not _TIME_OR_MONEY.match(num):
        return False
    return after.startswith(("am", "pm", "p.m", "a.m")) or int(num.split(".")[0]) > 99


def is_bullet(line: str) -> bool:
    return bool(_BULLET.match(line.lstrip(" \t\u00a0")))
