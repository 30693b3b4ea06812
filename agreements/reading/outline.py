"""The clause tree of an agreement's text, in the document's own numbering.

How the text is read, line by line:

- **Page furniture** goes first: a line repeated at the top or bottom of at least half the
  pages (digits aside: "Page 3 of 9") and lone page numbers there are dropped.
- **Joins**: a word broken by a hyphen at a line end is joined (the hyphen kept when the
  hyphenated word appears elsewhere in the text, or the first part is one letter: "e-commerce");
  a paragraph that starts in lower case after one that does not end a sentence is the same
  paragraph broken by a page ("issues under / consideration in …"). In a hard-wrapped text
  (many lines near the longest, as a PDF's are) a line that ended only because the next word
  did not fit is joined with a space; one that ended with room to spare ends its paragraph
  (PDF text layers lose blank lines), and a short sentence ending in ":" after a finished one
  starts a paragraph. Elsewhere a line break inside a paragraph is kept. A PDF loses bold, so
  there an item's opening title-case phrase closed by "." or ":" is its heading.
- **Markers** open clauses: Roman sections with a heading in capitals ("IV. RESPONSIBILITIES"),
  "Article 3", annexes and appendices ("ANNEX I"), dotted numbers ("3.1"), arabic ("1."),
  letters ("a.", "A."), parenthesised ("(a)", "(1)", "(iv)"), lower Roman ("i."), bullets
  ("-", "•", "*"), headings in capitals or bold, and inside an annex a short title line (a
  party's name becomes its acronym: "ANNEX I.DOC"). A marker already open on the path from the
  top is a sibling of that clause; a new kind of marker is a child of the current clause.
- **Numbers** are the parent's number, a dot and the marker ("IV.2.a"); parenthesised markers
  attach without the dot ("4.a(1)"); dotted numbers are whole ("3.1"). Unnumbered bullets are
  numbered by what the sentence introducing them calls them: "the following goals:" → G1, G2 …,
  "the following items:" → A1 … (action items), otherwise B1 …; a sentence introducing a list
  that comes after an earlier list is a clause of its own named by its noun ("ITEMS").
- **Headings**: after a section marker, the rest of the line; a bold lead ("**Severability.**")
  is the clause's heading. Words in capitals before the first clause are the title (`TITLE`),
  prose there is the preamble (`PREAMBLE`); a capital heading without a number is a clause named
  by its heading ("SIGNATURES"), which holds what follows up to the next section or annex.

Every word of the source (markers, headings and text) ends in exactly one clause; only page
furniture is dropped, and that is listed in `Outline.dropped`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .files import SourceDocument

ROMAN = r"(?=[IVXLC])C{0,3}(?:X[CL]|L?X{0,3})(?:I[XV]|V?I{0,3})"
SECTION_RE = re.compile(rf"^(?P<num>{ROMAN})\.\s+(?P<rest>.+)$")
ARTICLE_RE = re.compile(
    rf"^(?:ARTICLE|Article|SECTION|Section)\s+(?P<num>\d{{1,3}}|{ROMAN})\b[.:]?\s*[-–—:.]?\s*(?P<rest>.*)$"
)
ANNEX_RE = re.compile(
    r"^(?P<word>ANNEX|APPENDIX|ATTACHMENT|EXHIBIT|SCHEDULE|Annex|Appendix|Attachment|Exhibit|Schedule)"
    r"\s+(?P<num>[A-Z0-9]{1,4}|[IVX]{1,5})\b[.:]?\s*[-–—:.]?\s*(?P<rest>.*)$"
)
DOTTED_RE = re.compile(r"^(?P<num>\d{1,3}(?:\.\d{1,3})+)\.?\s+(?P<rest>.+)$")
ARABIC_RE = re.compile(r"^(?P<num>\d{1,3})[.)]\s+(?P<rest>.+)$")
LOWER_RE = re.compile(r"^(?P<num>[a-z]{1,2}|[ivxl]{1,5})[.)]\s+(?P<rest>.+)$")
UPPER_RE = re.compile(r"^(?P<num>[A-Z])[.)]\s+(?P<rest>.+)$")
PAREN_RE = re.compile(r"^\((?P<num>[a-z]{1,2}|\d{1,3}|[ivxl]{1,5}|[A-Z])\)\s+(?P<rest>.+)$")
BULLET_RE = re.compile(r"^(?P<bullet>[-•*◦▪‣·–])\s+(?P<rest>.*)$")
BOLD_LEAD_RE = re.compile(r"^\*\*(?P<head>[^*]{1,120}?)\*\*\s*(?P<rest>.*)$")
RUN_IN_HEAD_RE = re.compile(
    r"^(?P<head>[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,5}[.:])\s+(?P<rest>[A-Z].*)$", re.DOTALL
)
SMALL_WORDS = {"of", "the", "and", "or", "for", "to", "in", "on", "a", "an", "by", "with", "at", "not"}
PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?[-–]?\s*\d{1,4}\s*[-–]?(?:\s+of\s+\d{1,4})?$", re.IGNORECASE)
SIGNATURE_HEAD_RE = re.compile(r"^(SIGNATURES?|SIGNATURE PAGE|IN WITNESS WHEREOF)\b")
LOWER_ROMANS = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"}
LIST_NOUNS = {
    "goals": "G",
    "goal": "G",
    "items": "A",
    "item": "A",
    "actions": "A",
    "objectives": "O",
    "activities": "J",
}
TOP_KINDS = {"section", "article", "annex", "heading", "title", "preamble"}
SENTENCE_END = (".", ":", ";", "!", "?", "”", '"', ")")


@dataclass
class Clause:
    """One clause: its number in the document's numbering, where it sits, and its exact words."""

    number: str
    parent: str | None
    kind: str  # title, preamble, section, article, annex, heading, subheading, item, leadin
    marker: str = ""  # as written: "IV.", "a.", "(1)", "-" ("" for none)
    heading: str = ""  # as written (capitals kept)
    paragraphs: list[str] = field(default_factory=list)
    style: str = ""

    @property
    def text(self) -> str:
        """The clause's own text, paragraphs separated by a blank line."""
        return "\n\n".join(p for p in self.paragraphs if p)


@dataclass
class Outline:
    """The clause tree of one source, in reading order."""

    clauses: list[Clause]
    dropped: list[str]  # page headers, footers and page numbers left out
    acronyms: dict[str, str]  # a defined name → its acronym ("U.S. Department of Commerce" → "DOC")

    @property
    def structure_found(self) -> bool:
        """Whether any clause beyond the title and preamble was recognised."""
        return any(c.kind not in {"title", "preamble"} for c in self.clauses)

    def clause(self, number: str) -> Clause | None:
        """The clause with that number, if any."""
        return next((c for c in self.clauses if c.number == number), None)

    def children(self, number: str | None) -> list[Clause]:
        """The clauses directly under that number (None: the top level), in reading order."""
        return [c for c in self.clauses if c.parent == number]


def strip_marks(text: str) -> str:
    """The text without bold/italic asterisks."""
    return text.replace("*", "")


def _is_caps(text: str) -> bool:
    letters = [ch for ch in strip_marks(text) if ch.isalpha()]
    return len(letters) >= 3 and sum(ch.isupper() for ch in letters) / len(letters) >= 0.85


def _is_whole_bold(line: str) -> bool:
    return line.startswith("**") and line.endswith("**") and line.count("**") == 2 and len(line) > 4


def title_case(heading: str) -> str:
    """A heading in capitals as a title reads ("PERIOD OF AGREEMENT" → "Period of Agreement")."""
    small = {"of", "the", "and", "or", "for", "to", "in", "on", "a", "an", "by", "with", "at"}
    words = strip_marks(heading).strip().rstrip(".:").split()
    out = []
    for i, word in enumerate(words):
        lower = word.lower()
        if i and lower in small:
            out.append(lower)
        elif word.isupper() and len(word) > 1 and not re.fullmatch(ROMAN, word) and "." not in word:
            out.append(word[0] + word[1:].lower())
        else:
            out.append(word)
    return " ".join(out)


# ---------------------------------------------------------------- page furniture


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip().lower())


def _drop_furniture(pages: tuple[tuple[str, ...], ...]) -> tuple[list[list[str]], list[str]]:
    """Each page's lines without its repeated headers, footers and page numbers."""
    dropped: list[str] = []
    edges: Counter[str] = Counter()
    if len(pages) > 1:
        for page in pages:
            body = [ln for ln in page if ln.strip()]
            for line in set(body[:2] + body[-2:]):
                edges[_furniture_key(line)] += 1
    repeated = {key for key, count in edges.items() if count >= max(2, (len(pages) + 1) // 2)}
    kept_pages = []
    for page in pages:
        lines = list(page)
        non_blank = [i for i, ln in enumerate(lines) if ln.strip()]
        edge_idx = set(non_blank[:2] + non_blank[-2:]) if len(pages) > 1 else set()
        kept = []
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped and (
                (i in edge_idx and (_furniture_key(line) in repeated or PAGE_NUMBER_RE.match(stripped)))
                or re.fullmatch(r"page\s+\d+\s+of\s+\d+", stripped, re.IGNORECASE)
            ):
                dropped.append(stripped)
                continue
            kept.append(line)
        kept_pages.append(kept)
    return kept_pages, dropped


# ---------------------------------------------------------------- paragraphs


@dataclass
class _Para:
    lines: list[str]
    starts_page: bool = False


def wraps(line: str, following: str, width: int | None) -> bool:
    """Whether `line` was broken only because the next word did not fit in `width` characters."""
    words = following.split()
    if width is None or not words:
        return False
    return len(line.strip()) + 1 + len(words[0]) > width


def _paragraphs(pages: list[list[str]], width: int | None = None) -> list[_Para]:
    """Runs of non-blank lines; a page boundary ends a paragraph like a blank line does.

    In a hard-wrapped text (`width` given) a line that ends although the next word would have
    fitted also ends its paragraph: PDF text layers often carry no blank lines between them.
    """
    paras: list[_Para] = []
    for page in pages:
        current: list[str] = []
        first = True
        for n, line in enumerate(page):
            text = line.strip()
            if (
                width is not None
                and current
                and current[-1].rstrip().endswith((".", ";"))
                and text[:1].isupper()
                and text.endswith(":")
            ):
                # A sentence introducing a list after a finished sentence: a paragraph.
                paras.append(_Para(current, first))
                first = False
                current = []
            if text:
                current.append(line.rstrip())
                following = page[n + 1] if n + 1 < len(page) else ""
                if width is None or not following.strip() or wraps(text, following, width):
                    continue
            if current:
                paras.append(_Para(current, first))
                first = False
                current = []
        if current:
            paras.append(_Para(current, first))
    return paras


@dataclass
class _Marker:
    # section, article, annex, dotted, arabic, lower, upper, paren-*, roman-lower, bullet, bullet-bold
    kind: str
    num: str
    written: str
    rest: str


def _marker(line: str, *, roman_context: bool) -> _Marker | None:
    """The clause marker a line opens with, if any."""
    text = line.strip()
    bullet = ""
    m = BULLET_RE.match(text)
    if m and not text.startswith("**"):
        bullet = m["bullet"]
        text = m["rest"]
    if not bullet:
        m = ANNEX_RE.match(text)
        if m and len(text) < 120 and (not m["rest"] or _is_caps(m["rest"]) or m["rest"][0].isupper()):
            return _Marker(
                "annex", f"{m['word'].upper()} {m['num']}", text[: m.start("rest")].strip(), m["rest"]
            )
        if m := ARTICLE_RE.match(text):
            return _Marker("article", m["num"], text[: m.start("rest")].strip(), m["rest"])
        if (m := SECTION_RE.match(text)) and _is_caps(m["rest"]):
            return _Marker("section", m["num"], f"{m['num']}.", m["rest"])
    for pattern, kind in ((DOTTED_RE, "dotted"), (ARABIC_RE, "arabic"), (PAREN_RE, "paren")):
        if m := pattern.match(text):
            num = m["num"]
            if kind == "paren":
                if num.isdigit():
                    kind = "paren-arabic"
                elif num in LOWER_ROMANS and (roman_context or num not in {"i", "v", "x"} or len(num) > 1):
                    kind = "paren-roman"
                elif num.isupper():
                    kind = "paren-upper"
                else:
                    kind = "paren-lower"
                written = f"({num})"
            else:
                written = text[: m.start("rest")].strip()
            return _Marker(kind, num, (bullet + " " + written).strip(), m["rest"])
    if m := LOWER_RE.match(text):
        num = m["num"]
        if num in LOWER_ROMANS and (roman_context or len(num) > 1):
            kind = "roman-lower"
        elif len(num) > 1:
            return _bullet(bullet, text)
        else:
            kind = "lower"
        return _Marker(kind, num, (bullet + " " + text[: m.start("rest")].strip()).strip(), m["rest"])
    if (m := UPPER_RE.match(text)) and not bullet:
        return _Marker("upper", m["num"], text[: m.start("rest")].strip(), m["rest"])
    return _bullet(bullet, text)


def _bullet(bullet: str, text: str) -> _Marker | None:
    if not bullet:
        return None
    kind = "bullet-bold" if BOLD_LEAD_RE.match(text) else "bullet"
    return _Marker(kind, "", bullet, text)


# ---------------------------------------------------------------- the tree


class _Builder:
    def __init__(
        self, paras: list[_Para], acronyms: dict[str, str], width: int | None, *, bold_known: bool
    ) -> None:
        self.paras = paras
        self.bold_known = bold_known
        self.acronyms = acronyms
        self.width = width
        self.clauses: list[Clause] = []
        self.numbers: set[str] = set()
        self.stack: list[Clause] = []  # the open path from the top level
        self.has_children: set[str] = set()
        self.counters: Counter[str] = Counter()
        self.in_annex = False
        self.annex_title_open = False
        self.in_signatures = False
        self.hyphenated = set(re.findall(r"\b\w+-\w+\b", "\n".join(ln for p in paras for ln in p.lines)))

    # -- text within a paragraph
    def _join_lines(self, lines: list[str]) -> str:
        out = lines[0].strip()
        for prev, line in zip(lines, lines[1:], strict=False):
            nxt = line.strip()
            tail = re.search(r"(\w+)-$", out)
            if tail and nxt[:1].islower():
                word = tail.group(1) + "-" + re.match(r"[\w]*", nxt).group(0)  # type: ignore[union-attr]
                keep = len(tail.group(1)) == 1 or word in self.hyphenated
                out = (out if keep else out[:-1]) + nxt
            elif wraps(prev, nxt, self.width):
                out += " " + nxt
            else:
                out += "\n" + nxt
        return out

    # -- clauses
    def _unique(self, number: str) -> str:
        candidate, n = number, 2
        while candidate in self.numbers:
            candidate = f"{number} ({n})"
            n += 1
        self.numbers.add(candidate)
        return candidate

    def _open(self, clause: Clause) -> Clause:
        clause.number = self._unique(clause.number)
        self.clauses.append(clause)
        if clause.parent:
            self.has_children.add(clause.parent)
        return clause

    def _numbering_parent(self, parent: Clause | None) -> str:
        """The number children build theirs on: a lead-in sentence adds nothing of its own."""
        while parent is not None and parent.kind == "leadin":
            parent = self.clause_by_number(parent.parent)
        return parent.number if parent else ""

    def clause_by_number(self, number: str | None) -> Clause | None:
        if number is None:
            return None
        return next((c for c in reversed(self.clauses) if c.number == number), None)

    def _list_prefix(self, parent: Clause | None) -> str:
        if parent is None or not parent.paragraphs:
            return "B"
        last = strip_marks(parent.paragraphs[-1]).strip()
        m = re.search(r"(\w+)\s*:$", last)
        return LIST_NOUNS.get(m.group(1).lower(), "B") if m else "B"

    def _top(self, kind: str, number: str, marker: str, heading: str) -> Clause:
        self.stack = []
        clause = self._open(Clause(number, None, kind, marker, heading, style=kind))
        self.stack = [clause]
        return clause

    def _child(self, mk: _Marker) -> Clause:
        # A marker of a kind already open on the path is that clause's sibling.
        style = mk.kind
        if style == "dotted":
            # "3.1.2" sits under "3.1" (or "3" …): its own number names its parent.
            owner = mk.num.rsplit(".", 1)[0]
            depths = [d for d, c in enumerate(self.stack) if c.number == owner]
            if depths:
                self.stack = self.stack[: depths[-1] + 1]
            else:
                while self.stack and self.stack[-1].style == "dotted":
                    self.stack.pop()
        else:
            for depth in range(len(self.stack) - 1, -1, -1):
                if self.stack[depth].style == style and self.stack[depth].kind != "leadin":
                    self.stack = self.stack[:depth]
                    break
        parent = self.stack[-1] if self.stack else None
        base = self._numbering_parent(parent)
        if style == "dotted":
            number = mk.num
        elif style in {"bullet", "bullet-bold"}:
            key = f"{base}|{self._list_prefix(parent)}"
            self.counters[key] += 1
            number = (
                f"{base}.{self._list_prefix(parent)}{self.counters[key]}"
                if base
                else f"{self._list_prefix(parent)}{self.counters[key]}"
            )
        elif style.startswith("paren"):
            number = f"{base}({mk.num})"
        else:
            number = f"{base}.{mk.num}" if base else mk.num
        heading, rest = "", mk.rest
        if m := BOLD_LEAD_RE.match(rest):
            heading, rest = m["head"].strip(), m["rest"]
        elif not self.bold_known and (m := RUN_IN_HEAD_RE.match(rest)) and _title_words(m["head"]):
            # A PDF's text layer loses bold: a short phrase in title case closed by "." or ":"
            # before a capitalised sentence is read as the run-in heading it was.
            heading, rest = m["head"], m["rest"]
        clause = self._open(
            Clause(number, parent.number if parent else None, "item", mk.written, heading, style=style)
        )
        if rest.strip():
            clause.paragraphs.append(rest.strip())
        self.stack.append(clause)
        return clause

    def _continues(self, para_text: str) -> bool:
        """A paragraph broken by a page (or a blank line) in mid-sentence."""
        if not self.clauses or not self.clauses[-1].paragraphs:
            return False
        last = self.clauses[-1].paragraphs[-1].rstrip()
        return bool(para_text[:1].islower()) and not last.endswith(SENTENCE_END)

    def _add_paragraph(self, text: str) -> None:
        current = self.stack[-1] if self.stack else None
        if current is None:
            self._front_matter(text)
            return
        if current.style in {"bullet", "bullet-bold"}:
            # A paragraph that is not a bullet ends a bulleted list.
            while (
                self.stack
                and self.stack[-1].style in {"bullet", "bullet-bold", "roman-lower", "lower"}
                and not self.in_signatures
            ):
                self.stack.pop()
            current = self.stack[-1] if self.stack else None
            if current is None:
                self._front_matter(text)
                return
        if current.number in self.has_children:
            # Text after the clause's children: a clause of its own (a sentence introducing a list).
            m = re.search(r"(\w+)\s*:$", strip_marks(text).strip())
            noun = m.group(1).upper() if m and m.group(1).lower() in LIST_NOUNS else "P"
            base = self._numbering_parent(current)
            if noun == "P":
                key = f"{base}|P"
                self.counters[key] += 1
                noun = f"P{self.counters[key]}"
            number = f"{base}.{noun}" if base else noun
            clause = self._open(Clause(number, current.number, "leadin", style="leadin"))
            clause.paragraphs.append(text)
            self.stack.append(clause)
            return
        current.paragraphs.append(text)

    def _front_matter(self, text: str) -> None:
        kind = (
            "title" if _is_caps(text) and not any(c.kind == "preamble" for c in self.clauses) else "preamble"
        )
        existing = next((c for c in self.clauses if c.kind == kind), None)
        if existing is None:
            existing = self._open(Clause(kind.upper(), None, kind, style=kind))
        existing.paragraphs.append(text)

    def _heading_line(self, line: str) -> bool:
        """A heading in capitals or bold without a number; True when the line was taken as one."""
        text = line.strip()
        plain = strip_marks(text).strip()
        if len(plain) > 100 or plain.endswith((".", ",", ";")) or not plain:
            return False
        bold = _is_whole_bold(text)
        if not (_is_caps(plain) or bold):
            return False
        if not self.stack and not any(c.kind == "preamble" for c in self.clauses):
            return False  # still the title block
        if self.in_annex and self.annex_title_open:
            self.stack[0].paragraphs.append(plain if not bold else text)
            return True
        if self.in_signatures and not SIGNATURE_HEAD_RE.match(plain):
            return False
        if self.in_annex and len(self.stack) >= 1:
            self._subheading(text)
            return True
        self.in_signatures = bool(SIGNATURE_HEAD_RE.match(plain))
        self._top("heading", plain.rstrip(":").upper(), "", plain)
        return True

    def _subheading(self, text: str) -> None:
        plain = strip_marks(text).strip()
        annex = self.stack[0]
        acronym = self._acronym_of(plain)
        if acronym is None:
            self.counters[f"{annex.number}|S"] += 1
            acronym = f"S{self.counters[f'{annex.number}|S']}"
        self.stack = [annex]
        clause = self._open(
            Clause(f"{annex.number}.{acronym}", annex.number, "subheading", "", plain, style="subheading")
        )
        self.stack.append(clause)

    def _acronym_of(self, heading: str) -> str | None:
        if m := re.search(r"\(([A-Z][A-Za-z&]{1,9})\)\s*$", heading):
            return m.group(1)
        wanted = _name_key(heading)
        for name, acronym in self.acronyms.items():
            if _name_key(name) == wanted:
                return acronym
        return None

    def _is_subheading(self, para: _Para) -> bool:
        if not self.in_annex or len(para.lines) != 1:
            return False
        plain = strip_marks(para.lines[0]).strip()
        return (
            0 < len(plain) <= 80
            and plain[0].isupper()
            and not plain.endswith((".", ",", ";", ":"))
            and len(plain.split()) <= 10
            and sum(w[0].isupper() for w in plain.split() if w[0].isalpha()) >= len(plain.split()) / 2
        )

    def build(self) -> list[Clause]:
        for para in self.paras:
            self._para(para)
        return self.clauses

    def _para(self, para: _Para) -> None:
        # Lines that open a clause split the paragraph; the others are its text.
        chunks: list[list[str]] = []
        for line in para.lines:
            roman_context = bool(self.stack) and self.stack[-1].style in {
                "roman-lower",
                "bullet-bold",
                "bullet",
            }
            if not chunks or _marker(line, roman_context=roman_context) or self._looks_heading(line):
                chunks.append([line])
            else:
                chunks[-1].append(line)
        for i, chunk in enumerate(chunks):
            first = chunk[0]
            if (
                i == 0
                and self._continues(strip_marks(first).strip())
                and not _marker(first, roman_context=False)
            ):
                last = self.clauses[-1]
                last.paragraphs[-1] = last.paragraphs[-1].rstrip() + " " + self._join_lines(chunk)
                continue
            self._chunk(chunk, whole_para=len(chunks) == 1 and len(para.lines) == 1)

    def _looks_heading(self, line: str) -> bool:
        plain = strip_marks(line).strip()
        return (
            (_is_caps(plain) or _is_whole_bold(line.strip()))
            and len(plain) <= 100
            and not plain.endswith((".", ",", ";"))
            and bool(self.stack or any(c.kind == "preamble" for c in self.clauses))
        )

    def _chunk(self, chunk: list[str], *, whole_para: bool) -> None:
        first = chunk[0]
        roman_context = bool(self.stack) and self.stack[-1].style in {"roman-lower", "bullet-bold", "bullet"}
        mk = _marker(first, roman_context=self._roman_context(first, roman_context))
        if mk and mk.kind in {"section", "article", "annex"}:
            self.in_signatures = False
            self.in_annex = mk.kind == "annex"
            self.annex_title_open = self.in_annex
            number = mk.num
            self._top(mk.kind, number, mk.written, strip_marks(mk.rest).strip())
            if len(chunk) > 1:
                self._add_paragraph(self._join_lines(chunk[1:]))
            return
        if mk and not self.in_signatures:
            self.annex_title_open = False
            clause = self._child(mk)
            if len(chunk) > 1:
                tail = self._join_lines(chunk[1:])
                if clause.paragraphs:
                    sep = " " if wraps(first, chunk[1], self.width) else "\n"
                    clause.paragraphs[-1] += sep + tail
                else:
                    clause.paragraphs.append(tail)
            return
        if (len(chunk) == 1 or self._looks_heading(first)) and self._heading_line(first):
            if len(chunk) > 1:
                self._add_paragraph(self._join_lines(chunk[1:]))
            return
        if whole_para and self._is_subheading(_Para(chunk)):
            self._subheading(first)
            return
        self.annex_title_open = False
        self._add_paragraph(self._join_lines(chunk))

    def _roman_context(self, line: str, default: bool) -> bool:
        """Whether "i." here is a Roman numeral rather than the letter after h."""
        text = BULLET_RE.sub(r"\g<rest>", line.strip(), count=1)
        m = LOWER_RE.match(text) or PAREN_RE.match(text)
        if not m:
            return default
        letters = [c for c in self.stack if c.style in {"lower", "paren-lower"}]
        if m["num"] == "i" and letters and letters[-1].number.rstrip(")").endswith("h"):
            return False
        if m["num"] in {"v", "x"}:
            romans = [c for c in self.stack if c.style in {"roman-lower", "paren-roman"}]
            return bool(romans)
        return True if m["num"] in LOWER_ROMANS and len(m["num"]) > 1 else default or m["num"] == "i"


def _title_words(head: str) -> bool:
    """Whether a phrase reads as a heading: every word capitalised but the small ones."""
    words = head.rstrip(".:").split()
    if len(words) == 1 and len(words[0]) < 5:
        return False
    return all(w[0].isupper() or w in SMALL_WORDS for w in words)


def _name_key(name: str) -> str:
    key = strip_marks(name).lower().replace("united states", "u.s.").replace("the ", "")
    return re.sub(r"\s*\([^)]*\)\s*$", "", re.sub(r"\s+", " ", key)).strip()


NAME_WORD_RE = re.compile(r"[\w.&'’-]+")
CONNECTORS = {"of", "for", "and", "on", "the", "&"}


def _shortest_name(words: list[str], acronym: str) -> str | None:
    """The fewest words before "(ACR)" that the acronym can stand for, with a leading "U.S.".

    The name starts with a capitalised word whose initial is the acronym's first letter, holds
    only capitalised words and connectors, and its initials hold the acronym's letters in order:
    "WHEREAS the Environmental Protection Agency (EPA)" → "Environmental Protection Agency".
    """
    letters = [ch for ch in acronym.upper() if ch.isalpha()]
    for start in range(len(words) - 1, max(-1, len(words) - 12), -1):
        word = words[start]
        if not (word[:1].isupper() or word.lower() in CONNECTORS):
            return None
        if word.lower() in CONNECTORS or word[0].upper() != letters[0]:
            continue
        name_words = words[start:]
        initials = iter("".join(p[0] for w in name_words for p in re.findall(r"[A-Za-z]+", w)).upper())
        if all(ch in initials for ch in letters):
            while start > 0 and words[start - 1] in {"U.S.", "US", "States"}:
                start -= 1
                if words[start] == "States" and start > 0 and words[start - 1] == "United":
                    start -= 1
            return " ".join(words[start:])
    return None


def defined_acronyms(text: str) -> dict[str, str]:
    """Names the text defines an acronym for: "the U.S. Department of Commerce (DOC)" → DOC."""
    found: dict[str, str] = {}
    for paragraph in re.split(r"\n\s*\n", strip_marks(text)):
        flat = re.sub(r"\s+", " ", paragraph)
        for m in re.finditer(r"\((?P<acr>[A-Z][A-Za-z&]{1,9})\)", flat):
            words = NAME_WORD_RE.findall(flat[: m.start()])
            name = _shortest_name(words, m["acr"])
            if name:
                found.setdefault(name, m["acr"])
    return found


def build_outline(source: SourceDocument) -> Outline:
    """The clause tree of a source document."""
    pages, dropped = _drop_furniture(source.pages)
    lengths = [len(ln.strip()) for page in pages for ln in page if ln.strip()]
    # A hard-wrapped text has many lines near its longest; there a line that long wrapped.
    # Elsewhere (one line per paragraph) no line is taken as wrapped.
    widest = max(lengths, default=0)
    near = sum(n >= widest * 0.8 for n in lengths)
    wrapped = bool(lengths) and near >= max(3, len(lengths) * 0.25)
    width = widest if wrapped else None
    paras = _paragraphs(pages, width)
    acronyms = defined_acronyms("\n\n".join(" ".join(p.lines) for p in paras))
    clauses = _Builder(paras, acronyms, width, bold_known=source.kind != "pdf").build()
    for clause in clauses:
        clause.paragraphs = [p.strip() for p in clause.paragraphs if p.strip()]
    return Outline(clauses=clauses, dropped=dropped, acronyms=acronyms)


def outline_to_data(outline: Outline) -> dict[str, object]:
    """The outline as JSON-ready data (kept with an upload for its review screen)."""
    return {
        "clauses": [
            {
                "number": c.number,
                "parent": c.parent,
                "kind": c.kind,
                "marker": c.marker,
                "heading": c.heading,
                "paragraphs": list(c.paragraphs),
                "style": c.style,
            }
            for c in outline.clauses
        ],
        "dropped": list(outline.dropped),
        "acronyms": dict(outline.acronyms),
    }


def outline_from_data(data: dict) -> Outline:
    """The outline `outline_to_data` kept."""
    return Outline(
        clauses=[Clause(**c) for c in data["clauses"]],
        dropped=list(data.get("dropped", [])),
        acronyms=dict(data.get("acronyms", {})),
    )
