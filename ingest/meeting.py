"""Which meeting a paper belongs to, from what it prints: council, committee, meeting date,
document type and title. Read from the paper's header (the text before its first numbered
paragraph), its running headers and footers, and metadata the format states (front matter,
``<time datetime>``); never from the file's name. A date that is not printed with its year
stays None: Clerk never guesses a meeting date.

Rules are written for layouts and the language of minutes, not for any council: a date on a
line about the meeting ("held on", a title line) beats one about a previous meeting or a
signature; a council is "<Name> <tier> Council" or "Cyngor <tier> <Name>" (capitals included).
A paper that calls its own body "the <tier> Council" names a council of another tier only as a
partner, unless a title line prints it; its venue ("Anytown Town Hall") may name its own. A paper
that prints no council's name but a public-sector address (``surreycc.gov.uk``) whose name spells
a place the paper prints ("Surrey's children's services") is that place's.
"""

import datetime as dt
import re
from collections import Counter

from ingest.labels import match_label
from ingest.models import Paragraph
from ingest.structure import clean_text, one_line

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december"
    .split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_WELSH = {"ionawr": 1, "chwefror": 2, "mawrth": 3, "ebrill": 4, "mai": 5, "mehefin": 6,
          "gorffennaf": 7, "awst": 8, "medi": 9, "hydref": 10, "tachwedd": 11, "rhagfyr": 12}
_MONTH_WORDS = "|".join(sorted(list(MONTHS) + list(_WELSH), key=len, reverse=True))
_YEAR = r"((?:19|20|2O|1\d)[\dO]{2}|'?\d{2}(?![\d/]))"
_ORD = r"(?:\s*(?:st|nd|rd|th|eg|ed|fed|ain|af|ydd|ed))?"
_DAY_FIRST = re.compile(r"\b(\d{1,2})" + _ORD + r"\.?\s+(?:of\s+)?(" + _MONTH_WORDS + r")\.?,?\s+"
                        + _YEAR, re.I)
_MONTH_FIRST = re.compile(r"\b(" + _MONTH_WORDS + r")\.?\s+(\d{1,2})" + _ORD + r",?\s+" + _YEAR,
                          re.I)
_NUMERIC = re.compile(r"(?<![\d/.])(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d{2}|\d{2})(?![\d/.])")
_MEETING_WORDS = re.compile(r"\b(?:meeting|held|minutes?|agenda|date|cyfarfod|cofnodion|"
                            r"session|hearing)\b", re.I)
_OTHER_DATE = re.compile(r"\b(?:previous|last|next|circulated|signed|signature|dated|produced|"
                         r"printed|published|publication|received|letter|since|until|deadline|by|"
                         r"(?<!minutes\s)(?<!notes\s)from|"
                         r"tabled|item\s+\d+\w*\s*/)\b", re.I)
_TIERS = (r"County\s+Borough|Metropolitan\s+Borough|County|Borough|District|City|Town|Parish|"
          r"Community|Village|Neighbourhood|Regional|Combined|Unitary")
_NAME = r"(?:[A-Z][\w'’.&-]*|&|and|a|of|on|upon|le|la|under|-)"
_COUNCIL = re.compile(r"((?:[A-Z][\w'’.-]*[ \t]+)(?:" + _NAME + r"[ \t–-]+){0,5}?(?:" + _TIERS
                      + r")[ \t]+Council)\b")
# Bodies that are not called councils: "Lincoln Square Special Service Area #21".
_SPECIAL_BODY = re.compile(r"((?:[A-Z][\w'’.-]*[ \t]+){1,5}(?:Special\s+Service\s+Area|"
                           r"Business\s+Improvement\s+District|Special\s+District)"
                           r"(?:\s+(?:#|No\.?\s*)?\d+)?)")
_COUNCIL_OF = re.compile(r"\b((?:London|Royal)\s+Borough\s+of\s+[A-Z][\w'’-]*(?:\s+(?:and|&|upon)?"
                         r"\s*[A-Z][\w'’-]*){0,3}|City\s+of\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?"
                         r"(?:\s+Council)?)")
_UNNAMED = re.compile(r"(?:(\S+)[ \t]+)?\b((?i:" + _TIERS + r"))[ \t]+Council\b")
_TIER_END = re.compile(r"\b(" + _TIERS + r")[ \t]+Council$")
_VENUE = re.compile(r"\b((?:[A-Z][\w'’-]*[ \t]+){1,4}?)(" + _TIERS + r")[ \t]+Hall\b")
_CYNGOR = re.compile(r"\b(Cyngor\s+(?:Cymuned|Tref|Sir|Bwrdeistref\s+Sirol|Dinas)\s+"
                     r"[A-Z][\w'’-]*(?:\s+(?:a|ac|[A-Z][\w'’-]*)){0,4})")
_BODY_WORDS = (r"Committee|Sub-Committee|Cabinet|Board|Panel|Commission|Forum|Partnership|"
               r"Working\s+Group|Reference\s+Group|Assembly|Executive")
_COMMITTEE_END = re.compile(r"^(?:[A-Z][\w'’,&-]*\s+|and\s+|of\s+|&\s+){0,8}(?:" + _BODY_WORDS
                            + r")$")
_MINUTES_OF = re.compile(r"\b(?:minutes|notes)\s+of\s+(?:the\s+|an?\s+)?(.{3,90}?)"
                         r"(?:\s+(?:held|of\s+the\s+above|meeting\s+held|"
                         r"on\s+(?:the\s+)?(?:\w+day|\d)|at\s+(?:\d|the\b))\b|$)", re.I)
_DANGLING = re.compile(r"\b(?:of|of the|and|&|for|the)$|[,–-]$", re.I)
_MEETING_KINDS = r"annual|extraordinary|special|ordinary|general|emergency|additional|inaugural"
_LOCAL_TIERS = ("parish", "town", "community", "village", "neighbourhood")
_LOCAL_TIER = re.compile(r"\b(" + "|".join(_LOCAL_TIERS) + r")\s+Council$", re.I)
_SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the",
                "to", "with", "upon", "under", "ac"}
_GENERIC_TITLES = {"agenda item", "minutes", "record of proceedings", "purpose of report",
                   "apologies for absence", "witnesses", "key points raised during the discussion",
                   "introduction", "summary", "present", "agenda", "apologies", "presennol"}
# A running header or footer naming whose minutes (or agenda) each page is: "<Body> Minutes".
_RUNNING_BODY = re.compile(r"^((?:[A-Z][\w'’,&-]*\s+|and\s+|of\s+|&\s+){0,7}[A-Z][\w'’-]*)\s+"
                           r"(?:Minutes|Agenda|MINUTES|AGENDA)$")
_NOT_BODIES = {"draft", "approved", "signed", "confirmed", "unconfirmed", "meeting", "the",
               "council meeting"}
_HEADER_LIMIT = 2000
_BODY_LINE_END = re.compile(r"(committee|board|cabinet|panel|sub-group|reference group|council)$",
                            re.I)


def infer(text: str, paragraphs: list[Paragraph], hints: dict[str, str]) -> dict:
    """Council, committee, meeting_date, doc_type and title, each None when not printed."""
    header = header_of(text, paragraphs)
    running = [ln for ln in hints.get("running", "").split("\n") if ln.strip()]
    lines = _blocks(header) + _lines(header) + [(ln, True) for ln in running]
    if hints.get("title"):
        lines.append((hints["title"], True))
    own = own_tier(text)
    council = (_council(lines, own) or _body_council(text[:6000], own)
               or _venue_council(lines, own) or _domain_council(text, own))
    return {
        "council": council,
        "committee": _committee(lines, council, running),
        "meeting_date": meeting_date(lines) or _hint_date(hints),
        "doc_type": _doc_type(header, text),
        "title": _title(header) or _plain_title(hints.get("title")),
    }


def header_of(text: str, paragraphs: list[Paragraph]) -> str:
    """The part before the first numbered paragraph (at most 2,000 characters)."""
    first = next((p.start for p in paragraphs if p.label[:1].isdigit() or match_label(p.label)),
                 len(text))
    return text[:min(first, _HEADER_LIMIT)]


def _blocks(text: str) -> list[tuple[str, bool]]:
    """Short blocks of several lines joined: a title wrapped over lines is one title."""
    out = []
    for block in re.split(r"\n\s*\n", text):
        parts = [one_line(clean_text(b.lstrip("# "))) for b in block.split("\n") if b.strip()]
        line = " ".join(parts)
        if 1 < len(parts) <= 4 and len(line) <= 120:
            out.append((line, True))
    return out


def _lines(text: str) -> list[tuple[str, bool]]:
    """(line, is_title): heading lines and short lines of their own are the paper's titles. A
    title line that ends mid-phrase ("MINUTES OF THE MEETING OF") goes on with the next."""
    out: list[tuple[str, bool]] = []
    for raw in text.split("\n"):
        heading = raw.lstrip().startswith("#")
        line = one_line(clean_text(raw.lstrip("# ")))
        if not line:
            continue
        title = heading or len(line) <= 70 or not out  # the first line is a title, however long
        if out and out[-1][1] and title and _DANGLING.search(out[-1][0]):
            out[-1] = (f"{out[-1][0]} {line}", True)
        else:
            out.append((line, title))
    return out


def parse_date(text: str) -> list[tuple[int, str]]:
    """Every full date in ``text`` (day, month and year printed), as (offset, ISO date)."""
    found = []
    for m in _DAY_FIRST.finditer(text):
        found.append((m.start(), _iso(m.group(3), m.group(2), m.group(1))))
    for m in _MONTH_FIRST.finditer(text):
        found.append((m.start(), _iso(m.group(3), m.group(1), m.group(2))))
    for m in _NUMERIC.finditer(text):
        day, month = int(m.group(1)), int(m.group(2))
        if month > 12 >= day:
            day, month = month, day  # 11/30/17 is written month first
        found.append((m.start(), _iso(m.group(3), str(month), str(day))))
    return sorted((pos, iso) for pos, iso in found if iso)


def _iso(year: str, month: str, day: str) -> str | None:
    year = year.replace("O", "0").replace("o", "0").lstrip("'")
    if len(year) == 2:
        year = "20" + year
    month_no = int(month) if month.isdigit() else \
        MONTHS.get(month.lower().rstrip("."), _WELSH.get(month.lower()))
    try:
        return dt.date(int(year), int(month_no), int(day)).isoformat()
    except (TypeError, ValueError):
        return None


def printed_date(text: str) -> str | None:
    """The first full date printed in ``text``, or None."""
    found = parse_date(text)
    return found[0][1] if found else None


def meeting_date(lines: list[tuple[str, bool]]) -> str | None:
    """The meeting's date: the best-placed full date in the header lines."""
    best = None
    for n, (line, title) in enumerate(lines):
        for pos, iso in parse_date(line):
            before = line[max(0, pos - 60):pos]
            score = (2 if title else 0) + (2 if _MEETING_WORDS.search(line) else 0) \
                - (5 if _OTHER_DATE.search(before) else 0)
            if best is None or score > best[0]:
                best = (score, n, iso)
    return best[2] if best and best[0] >= 0 else None


def _hint_date(hints: dict[str, str]) -> str | None:
    value = hints.get("date")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return None


def own_tier(text: str) -> str | None:
    """The tier a paper calls its own body by, unnamed ("the Town Council agreed", "members of
    the Community Council"): at least twice, and more often than any other tier."""
    counts: Counter = Counter()
    for m in _UNNAMED.finditer(text):
        before = m.group(1) or ""
        if before[:1].isupper() and before.lower() != "the" or before.lower() in ("a", "each"):
            continue  # "Anytown Town Council" is named; "a Parish Council" is any
        counts[" ".join(m.group(2).lower().split())] += 1
    ranked = counts.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None


def _tier_of(name: str) -> str | None:
    m = _TIER_END.search(name)
    return " ".join(m.group(1).lower().split()) if m else None


def _council(lines: list[tuple[str, bool]], own: str | None = None) -> str | None:
    """The council a title line names; one named inside a running sentence counts only when
    it has the tier the paper calls itself by ("... advised that the City Council is
    responsible" in a town council's minutes names a partner)."""
    for line, title in sorted(lines, key=lambda x: not x[1]):
        for pattern in (_CYNGOR, _COUNCIL, _COUNCIL_OF, _SPECIAL_BODY):
            m = pattern.search(line if line.isupper() is False else titlecase(line))
            if m and (name := _clean_council(m.group(1))):
                if not title and own and _tier_of(name) not in (own, None):
                    continue
                return name
    return None


def _body_council(text: str, own: str | None = None) -> str | None:
    """A council the body names again and again (at least twice, more than any other); one
    named in passing is more often a partner ("submitted to the District Council") than the
    paper's own, and so is one of another tier than the paper calls itself by."""
    names = Counter()
    for line, _ in _lines(text):
        for pattern in (_CYNGOR, _COUNCIL, _COUNCIL_OF):
            names.update(_clean_council(m.group(1)) for m in pattern.finditer(line))
    names.pop(None, None)
    if own:
        names = Counter({k: v for k, v in names.items() if _tier_of(k) in (own, None)})
    ranked = names.most_common(2)
    if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] < ranked[0][1]):
        return ranked[0][0]
    return None


def _venue_council(lines: list[tuple[str, bool]], own: str | None) -> str | None:
    """A paper that calls itself only "the Town Council" and meets in "Anytown Town Hall", as
    its title lines say, is Anytown Town Council."""
    if not own:
        return None
    for line, title in lines:
        if not title:
            continue
        for m in _VENUE.finditer(line if line.isupper() is False else titlecase(line)):
            if " ".join(m.group(2).lower().split()) == own:
                name = re.sub(r"^(?:(?:The|Held|In|At|Venue)\s+)+", "", m.group(1).strip())
                if name:
                    return f"{name} {titlecase(own)} Council"
    return None


# Addresses only public bodies can hold: gov.uk, gov.wales, gov.scot, llyw.cymru.
_GOV_DOMAIN = re.compile(r"\b(?:[a-z0-9-]+\.)*([a-z0-9-]+)\.(?:gov\.uk|gov\.wales|gov\.scot|"
                         r"llyw\.cymru)\b", re.I)
# A tier spelled out at the end of an address's name, and the short forms councils use there.
_DOMAIN_TIER = re.compile(r"(?:(county|borough|district|city|town|parish|community)?council|"
                          r"cc|dc|bc|tc|pc)$")


def _domain_council(text: str, own: str | None) -> str | None:
    """The place whose name an address printed in the paper spells, as the paper prints it
    ("Surrey" for surreycc.gov.uk beside "Surrey's children's services"); with its tier when the
    address spells the tier out. One address only: two councils' addresses name neither. A
    paper that calls itself a parish, town or community council has its own name printed (or
    none); a county's address in it is a partner's."""
    stems = {m.group(1).lower() for m in _GOV_DOMAIN.finditer(text)}
    if len(stems) != 1 or own in _LOCAL_TIERS:
        return None
    place = stems.pop()
    tier = None  # None: the address says no tier, or only a short form ("cc": county or city?)
    if (m := _DOMAIN_TIER.search(place)) and m.start() >= 3:
        if m.group(0).endswith("council"):
            tier = m.group(1) or ""  # "anytowncouncil": a council, its tier unsaid
        place = place[:m.start()]
    place = place.replace("-", "")
    for m in re.finditer(r"\b[A-Z][\w'’-]*(?:[ \t]+(?:[A-Z][\w'’-]*|and|upon|on|&)){0,4}", text):
        if m.group(0)[0].lower() != place[:1]:
            continue  # a phrase spelling the place starts with its first letter
        words = m.group(0).split()
        for end in range(len(words), 0, -1):
            phrase = re.sub(r"['’]s$", "", " ".join(words[:end]))
            if re.sub(r"[^a-z]", "", phrase.lower()) == place:
                name = titlecase(phrase) if phrase.isupper() else phrase
                if tier is None:
                    return name
                return f"{name} {tier.title() + ' ' if tier else ''}Council"
    return None


def _clean_council(found: str) -> str | None:
    name = re.sub(r"^(?:(?:The|To|Of|For|From|At|By|Minutes|Meeting|Agenda)\s+)+", "",
                  found.strip(" -–"))
    if len(name.split()) < 2 or re.match(r"(?:" + _TIERS + r")\s", name):
        return None
    return titlecase(name) if name.isupper() else name


def _committee(lines: list[tuple[str, bool]], council: str | None,
               running: list[str]) -> str | None:
    for line, title in lines:
        if not title:
            continue
        m = _MINUTES_OF.search(line)
        if m and not match_label(line):
            body = m.group(1).strip(" .,:-–")
            if body and not re.match(r"(?:an?\s+|the\s+)?meeting$|(?:the\s+)?(?:previous|last|"
                                     r"next)\b", body, re.I) \
                    and not re.search(r"\b(?:of|the|for|a|an)$", body, re.I):  # "MEETING OF" / ...
                body = titlecase(body) if body.isupper() else body
                if m.group(0).lower().rstrip().endswith("held") \
                        and re.fullmatch(_MEETING_KINDS, body, re.I):
                    body += " Meeting"  # "Minutes of Extraordinary Meeting held on ..."
                return _meeting_name(body)
    for line, title in lines:
        if not title or match_label(line) or len(line) >= 160:
            continue
        whole = line.split("|")[0].strip()
        # "Decided at meeting: 19/10/2015 - Policy Committee": the body is the line's last part;
        # "Anytown Council – Cabinet – 5 May 2024": any part between dashes may be it.
        parts = [whole, re.split(r"\s[-–]\s|:\s", whole)[-1].strip(),
                 *(p.strip() for p in re.split(r"\s+[|–—-]\s+", line))]
        for candidate in dict.fromkeys(parts):
            name = re.sub(r"\s+(?:minutes|agenda|meeting)\b.*$", "", candidate, flags=re.I)
            if len(candidate) < 120 and _COMMITTEE_END.search(
                    titlecase(name) if name.isupper() else name):
                name = titlecase(name) if name.isupper() else name
                if council and name.lower().startswith(council.lower()) and name != council:
                    name = name[len(council):].strip(" -–") or name
                return name
    for line in running:  # every page's "Amenities, Leisure and Community Services Minutes | ..."
        m = _RUNNING_BODY.match(line.split("|")[0].strip())
        if m and m.group(1).lower() not in _NOT_BODIES:
            return titlecase(m.group(1)) if m.group(1).isupper() else m.group(1)
    if council and (m := _LOCAL_TIER.search(council)):
        return titlecase(m.group(0))
    if council and (m := re.match(r"Cyngor\s+(?:Cymuned|Tref)\b", council)):
        return m.group(0)  # "Cyngor Cymuned Manordeilo a Salem" meets as the Cyngor Cymuned
    return None


def _meeting_name(body: str) -> str:
    """'Meeting of the Tayport Community Council' → 'Tayport Community Council'."""
    body = re.sub(r"^(?:the\s+)?(?:inaugural\s+)?meeting\s+of\s+(?:the\s+)?", "", body, flags=re.I)
    return body[:1].upper() + body[1:]


def _doc_type(header: str, text: str) -> str:
    head = header.lower()
    if re.search(r"\bdecision(?:s)?\s*(?:maker|:|details|notice|record)|\bdecided at\b", head):
        return "decision"
    if re.search(r"\b(?:minutes?|cofnodion|record of proceedings)\b", head):
        return "minutes"
    if re.search(r"\bagenda\b(?!\s+item\s+\d)|summoned to attend|notice of (?:the\s+)?meeting",
                 head):
        return "agenda"
    if re.search(r"\b(?:present|presennol|in attendance|apologies)\b", head):
        return "minutes"
    if re.search(r"purpose of (?:the\s+)?report|\breport\b|recommend(?:s|ed|ations?)\b|"
                 r"is recommended to", head) \
            or "report contact" in text[:20000].lower():
        return "report"
    if re.search(r"\b(?:resolved|seconded|it was agreed|were received|apologies were)\b",
                 text[:20000], re.I):
        return "minutes"  # a header of only the council and date: the minutes' own language
    return "paper"


def titlecase(text: str) -> str:
    """'CHILDREN'S IMPROVEMENT UPDATE' -> 'Children's Improvement Update'."""
    words = text.lower().split()
    return " ".join(w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]
                    for i, w in enumerate(words))


def _title(header: str) -> str | None:
    """The first heading-like line of the header that is not the committee, a date or
    boilerplate; a line in capitals (an agenda item's title) is preferred."""
    candidates = []
    for block in re.split(r"\n\s*\n", header):
        line = one_line(clean_text(block.lstrip("# "))).rstrip(":")
        if not line or line.lower() in _GENERIC_TITLES or _BODY_LINE_END.search(line):
            continue
        if parse_date(line) or len(line) > 120 or line.endswith(".") or ":" in line:
            continue
        candidates.append(line)
    caps = [c for c in candidates if c.isupper()]
    best = (caps or candidates or [None])[0]
    return titlecase(best) if best and best.isupper() else best


def _plain_title(title: str | None) -> str | None:
    return title.strip() if title else None
