"""Text utilities: sentence segmentation with character offsets, and a matching view of text."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.model import Sentence, Span

_ABBREVIATIONS = {
    "dr",
    "mr",
    "mrs",
    "ms",
    "prof",
    "st",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "al",
    "fig",
    "no",
    "vol",
    "approx",
    "inc",
    "ltd",
    "co",
    "jr",
    "sr",
    "u.s",
    "u.k",
    "dept",
    "univ",
    "ref",
    "refs",
}
_BULLET = re.compile(r"^\s*(?:[-*•●▪‣◦]|\d{1,2}[.)]|[a-z][.)])\s+")
# group 1: the space between two sentences (the punctuation first, so that it is scanned for)
_LIST_NUMBER = re.compile(r"\s*\d{1,2}\.")  # a numbered list item's marker
_BOUNDARY = re.compile(r"[.!?]([\"”’)\]]*\s+)(?=[\"“(\[]?[A-Z0-9])")
_BLANK_LINE_AFTER_TEXT = re.compile(r"\n(?<=\S\n)[ \t\r\f\v]*\n")  # line break first, likewise
_NON_SPACE = re.compile(r"\S")
_LINE = re.compile(r"[^\n]+")
_CLOSERS = '"”’)'  # quotes and brackets that may follow closing punctuation
_ABBREVIATION_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz."


def paragraphs(text: str) -> list[Span]:
    """Blocks of text separated by blank lines (offsets into `text`).

    A block runs from a non-space character to the first line break that starts a blank line
    and follows a later non-space character (or to the end of the text's last word): so a block
    of one character joins the next.
    """
    cuts = [m.start() for m in _BLANK_LINE_AFTER_TEXT.finditer(text)]
    last = len(text.rstrip())
    spans = []
    first = _NON_SPACE.search(text)
    while first is not None:
        start = first.start()
        k = bisect.bisect_left(cuts, start + 2)
        end = cuts[k] if k < len(cuts) else max(last, start + 1)
        spans.append(Span(start, end))
        first = _NON_SPACE.search(text, end)
    return spans


def _ends_with_closing(text: str, punctuation: str, closers: str = _CLOSERS) -> bool:
    """`text` ends with one of `punctuation` (characters), then any of `closers`."""
    body = text.rstrip(closers)
    return body != "" and body[-1] in punctuation


def _lines(text: str, block: Span) -> list[Span]:
    """Split a block into logical lines: wrapped prose is joined, headings and bullets are not."""
    out: list[Span] = []
    for m in _LINE.finditer(text, block.start, block.end):
        raw = m.group(0)
        line = raw.strip()
        if not line:
            continue
        s = m.start() + len(raw) - len(raw.lstrip())
        e = s + len(line)
        if out:
            prev = text[out[-1].start : out[-1].end]
            continues = (
                not _ends_with_closing(prev, ".!?:;", _CLOSERS + "]")
                and not _BULLET.match(line)
                and (line[:1].islower() or len(prev) >= 60)
            )
            if continues:
                out[-1] = Span(out[-1].start, e)
                continue
        out.append(Span(s, e))
    return out


def _is_abbreviation(chunk: str) -> bool:
    """`chunk` ends with a full stop after a known abbreviation or a single letter."""
    if not chunk.endswith("."):
        return False
    before = chunk[:-1]
    word = before[len(before.rstrip(_ABBREVIATION_CHARS)) :].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with exact offsets; each remembers its paragraph number."""
    sentences: list[Sentence] = []
    for p_index, block in enumerate(paragraphs(text)):
        for line in _lines(text, block):
            start = line.start
            chunk = text[line.start : line.end]
            for m in _BOUNDARY.finditer(chunk):
                cut = line.start + m.start(1)
                if _is_abbreviation(text[start:cut]):
                    continue
                if _LIST_NUMBER.fullmatch(text[start:cut]):  # "2. A study showed...": the item is
                    start = line.start + m.end()  # the sentence, its number is not one
                    continue
                _append(sentences, text, start, cut, p_index)
                start = line.start + m.end()
            _append(sentences, text, start, line.end, p_index)
    return sentences


def _append(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        start += len(piece) - len(piece.lstrip())
        out.append(Sentence(len(out), Span(start, start + len(stripped)), stripped, paragraph))


@dataclass(frozen=True)
class MatchView:
    """Lower-cased text with white space runs folded to one space and hyphens/quotes unified.

    The view is made of segments that each map to the original text by a constant shift:
    segment `k` starts at view position `starts[k]`, which is original position `origins[k]`.
    So a match in the view maps back to exact original offsets.
    """

    text: str
    starts: tuple[int, ...]
    origins: tuple[int, ...]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """Original start and end of the view's characters `start` to `end - 1`."""
        starts, origins = self.starts, self.origins
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, end - 1) - 1
        return origins[first] + start - starts[first], origins[last] + end - starts[last]

    def original(self, start: int, end: int) -> Span:
        return Span(*self.bounds(start, end))

    def lowered(self) -> MatchView:
        """The same view lower-cased (what `match_view(text)` gives for `match_view(text, False)`)."""
        return MatchView(lower_chars(self.text), self.starts, self.origins)


_FOLD = (  # (character, replacement): hyphens, dashes and slashes separate words; quotes unify
    ("’", "'"),
    ("‘", "'"),
    ("`", "'"),
    ("‐", " "),
    ("‑", " "),
    ("–", " "),
    ("—", " "),
    ("-", " "),
    ("/", " "),
    ("“", '"'),
    ("”", '"'),
)
_SPACE_RUN = re.compile(r"\s\s+")
# 'İ' is the one character whose lower case is longer (two characters): it is kept as it is.
_LONG_LOWER = re.compile("(\u0130)")


def lower_chars(text: str) -> str:
    """`text` lower-cased character by character, keeping its length.

    Unlike `str.lower`, a final capital sigma becomes 'σ' (not 'ς'), as it does on its own,
    and a character whose lower case is longer ('İ') stays as it is.
    """
    text = text.replace("Σ", "σ")
    if "\u0130" not in text:
        return text.lower()
    return "".join(part if part == "\u0130" else part.lower() for part in _LONG_LOWER.split(text))


def match_view(text: str, lower: bool = True) -> MatchView:
    """Build the matching view of `text` (see MatchView)."""
    for char, replacement in _FOLD:
        text = text.replace(char, replacement)
    body = text.lstrip()
    shift = len(text) - len(body)  # original position minus view position
    starts, origins = [0], [shift]
    for run in _SPACE_RUN.finditer(text, shift):
        starts.append(run.start() - shift + 1)
        origins.append(run.end())
        shift += run.end() - run.start() - 1
    folded = " ".join(body.split())
    if body[-1:].isspace():
        folded += " "
    view = MatchView(folded, tuple(starts), tuple(origins))
    return view.lowered() if lower else view


def normalise_label(label: str) -> str:
    """A vocabulary label in the same folded form as MatchView text."""
    return match_view(label).text.strip()


def squash(text: str) -> str:
    """Collapse white space runs (for display)."""
    return re.sub(r"\s+", " ", text).strip()


HEADING_MAX_WORDS = 14
LIST_ITEM = re.compile(r"^\s*(?:[-*•●▪‣◦]|\d{1,2}[.)])(?:\s+|$)")  # "- x", "2. x"; not "**bold**"
_ITEM_NUMBER_BEFORE = re.compile(r"(?:^|\n)[^\S\n]*\d{1,2}[.)][^\S\n]+$")


def is_list_item(sentence: Sentence, text: str) -> bool:
    """The sentence is an item of a list: a bullet, or a numbered item (whose number
    `split_sentences` leaves out of the sentence)."""
    if LIST_ITEM.match(sentence.text):
        return True
    start = sentence.span.start
    return _ITEM_NUMBER_BEFORE.search(text, max(0, start - 8), start) is not None


_QUOTATION_CLOSED = re.compile(r"[.!?][\"\u201d\u00bb]")


def is_heading(sentence: Sentence) -> bool:
    """A short line with no closing punctuation: a title or section heading (not a quotation
    closed inside it: '"Now she sits." – Lucia, her grandmother')."""
    text = sentence.text.strip()
    if _ends_with_closing(text, ".!?") or _QUOTATION_CLOSED.search(text):
        return False
    return len(text.split()) <= HEADING_MAX_WORDS


def is_title(sentence: Sentence, title: str) -> bool:
    """The document's title line (a heading, not a sentence that happens to open the text)."""
    text, title = sentence.text.strip(), title.strip()
    # (or the title's last sentence after a label: "P-117. Intrathecal cells in spastic diplegia")
    whole = text == title or (len(text) >= 20 and title.endswith(" " + text))
    return whole and not _ends_with_closing(text, ".!?")


def negated(text: str, cue: str) -> bool:
    """Whether `cue` is negated in `text` ("not a cure", "isn't proven", "no guarantees", "Myth:
    treatments abroad are safe")."""
    return _negation(cue).search(text) is not None


@lru_cache(maxsize=1024)
def _negation(cue: str) -> re.Pattern[str]:
    return re.compile(
        r"\b(?:not|no|never|isn't|isn’t|aren't|aren’t|without|myth:?)\s+(?:\w+\s+){0,6}" + re.escape(cue),
        re.I,
    )
