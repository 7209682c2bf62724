"""Text utilities: sentence segmentation with character offsets, and a matching view of text."""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_TERMINAL = re.compile(r"[.!?:;][\"”’)\]]*$")
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.$")


def paragraphs(text: str) -> list[Span]:
    """Blocks of text separated by blank lines (offsets into `text`)."""
    spans = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\n[ \t\r\f\v]*\n|\s*\Z)", text, flags=re.S):
        spans.append(Span(m.start(), m.end()))
    return spans


def _lines(text: str, block: Span) -> list[Span]:
    """Split a block into logical lines: wrapped prose is joined, headings and bullets are not."""
    raw = [m for m in re.finditer(r"[^\n]+", text[block.start : block.end])]
    out: list[Span] = []
    for m in raw:
        s, e = block.start + m.start(), block.start + m.end()
        line = text[s:e].strip()
        if not line:
            continue
        s = s + (len(text[s:e]) - len(text[s:e].lstrip()))
        e = s + len(line)
        if out:
            prev = text[out[-1].start : out[-1].end]
            continues = (
                not _TERMINAL.search(prev)
                and not _BULLET.match(line)
                and (line[:1].islower() or len(prev) >= 60)
            )
            if continues:
                out[-1] = Span(out[-1].start, e)
                continue
        out.append(Span(s, e))
    return out


def _is_abbreviation(chunk: str) -> bool:
    m = _WORD_BEFORE.search(chunk)
    if not m:
        return False
    word = m.group(1).lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of `text` with exact offsets; each remembers its paragraph number."""
    sentences: list[Sentence] = []
    for p_index, block in enumerate(paragraphs(text)):
        for line in _lines(text, block):
            start = line.start
            chunk = text[line.start : line.end]
            for m in _BOUNDARY.finditer(chunk):
                cut = line.start + m.start()
                if _is_abbreviation(text[start:cut]):
                    continue
                _append(sentences, text, start, cut, p_index)
                start = line.start + m.end()
            _append(sentences, text, start, line.end, p_index)
    return sentences


def _append(out: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(len(out), Span(start, end), text[start:end], paragraph))


@dataclass(frozen=True)
class MatchView:
    """Lower-cased text with white space runs folded to one space and hyphens/quotes unified.

    `offsets[i]` is the position in the original text of character `i` of `text`, so a match
    in the view maps back to exact original offsets.
    """

    text: str
    offsets: tuple[int, ...]

    def original(self, start: int, end: int) -> Span:
        return Span(self.offsets[start], self.offsets[end - 1] + 1)


_FOLD = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "`": "'",
        "‐": " ",
        "‑": " ",
        "–": " ",
        "—": " ",
        "-": " ",
        "/": " ",
        "“": '"',
        "”": '"',
    }
)


def match_view(text: str, lower: bool = True) -> MatchView:
    """Build the matching view of `text` (see MatchView)."""
    chars: list[str] = []
    offsets: list[int] = []
    folded = text.translate(_FOLD)
    previous_space = True
    for i, ch in enumerate(folded):
        if lower:
            low = ch.lower()
            ch = low if len(low) == 1 else ch
        if ch.isspace():
            if previous_space:
                continue
            ch = " "
            previous_space = True
        else:
            previous_space = False
        chars.append(ch)
        offsets.append(i)
    return MatchView("".join(chars), tuple(offsets))


def normalise_label(label: str) -> str:
    """A vocabulary label in the same folded form as MatchView text."""
    return match_view(label).text.strip()


def squash(text: str) -> str:
    """Collapse white space runs (for display)."""
    return re.sub(r"\s+", " ", text).strip()


HEADING_MAX_WORDS = 14


def is_heading(sentence: Sentence) -> bool:
    """A short line with no closing punctuation: a title or section heading."""
    text = sentence.text.strip()
    return not re.search(r"[.!?][\"”’)]*$", text) and len(text.split()) <= HEADING_MAX_WORDS


def is_title(sentence: Sentence, title: str) -> bool:
    """The document's title line (a heading, not a sentence that happens to open the text)."""
    text = sentence.text.strip()
    return text == title.strip() and not re.search(r"[.!?][\"”’)]*$", text)
