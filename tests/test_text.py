"""Sentence segmentation keeps exact offsets."""

import random
import re

from kg import text as text_module
from kg.text import is_list_item, lower_chars, match_view, paragraphs, split_sentences


def test_offsets_are_exact_substrings():
    text = "Title line\n\nDr. Smith et al. treated 12 children. Results were good!\n  Next one?  "
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Title line",
        "Dr. Smith et al. treated 12 children.",
        "Results were good!",
        "Next one?",
    ]
    for s in sentences:
        assert text[s.span.start : s.span.end] == s.text


def test_wrapped_lines_are_joined_but_bullets_are_not():
    text = "Stem cells have been used in the\n   treatment of palsy.\n• First item: safe.\n• Second item."
    assert [s.text.split()[0] for s in split_sentences(text)] == ["Stem", "•", "•"]


def test_a_numbered_item_is_one_sentence_and_knows_it_is_an_item():
    text = (
        "Why choose us\n\n1. Cells are applied in one visit.\n2. A study showed gains. It was small.\nAfter."
    )
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Why choose us",
        "Cells are applied in one visit.",
        "A study showed gains.",
        "It was small.",
        "After.",
    ]
    assert [is_list_item(s, text) for s in sentences] == [False, True, True, False, False]


def test_paragraph_numbers():
    sentences = split_sentences("One. Two.\n\nThree.")
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_match_view_maps_back_to_original_offsets():
    text = "UC–MSC  stem\ncells"
    view = match_view(text)
    assert view.text == "uc msc stem cells"
    span = view.original(0, len(view.text))
    assert text[span.start : span.end] == text


# The matching view, paragraphs and sentence helpers are written for speed; these tests hold
# them to the straightforward definitions they replaced.

_FOLD = str.maketrans(dict(text_module._FOLD))
_TRICKY = [
    "",
    "   ",
    "  leading and trailing  ",
    "tabs\tand\t\tnew\nlines\n\n\nand \r\n crlf",
    "hy-phen – en — em / slash ‐ ‑ dashes",
    "“curly” ‘quotes’ and `ticks`",
    "İstanbul İİ dotted İ capital",
    "ΟΔΟΣ ΣΟΦΟΣ Σ final sigma",
    "ſtraße ẞ ß ﬁ Kelvin K ı dotless",
    "nbsp\u00a0\u00a0and\u2003em\u2028line",
    "a\n\nb",
    "x.\n \t\ny",
    "One.  Two!\n\n  Three?\n",
]


def _reference_view(text: str, lower: bool = True) -> tuple[str, list[int]]:
    """The per-character definition of the matching view."""
    chars, offsets = [], []
    previous_space = True
    for i, ch in enumerate(text.translate(_FOLD)):
        if lower:
            low = ch.lower()
            ch = low if len(low) == 1 else ch
        if ch.isspace():
            if previous_space:
                continue
            ch, previous_space = " ", True
        else:
            previous_space = False
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets


def _random_texts(alphabet: str, count: int, seed: int, longest: int = 30) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def test_match_view_equals_the_per_character_definition():
    alphabet = "aB c-–—/’‘“”`\t\n\r  \u00a0\u2003İıſΣσςΑKẞßxYéǅΩ"
    for text in _TRICKY + _random_texts(alphabet, 3000, seed=1):
        for lower in (True, False):
            expected, offsets = _reference_view(text, lower)
            view = match_view(text, lower)
            assert view.text == expected, text
            assert [view.original(i, i + 1).start for i in range(len(expected))] == offsets, text
            if expected:
                span = view.original(0, len(expected))
                assert (span.start, span.end) == (offsets[0], offsets[-1] + 1)


def test_match_view_lowered_is_the_lower_case_view():
    for text in _TRICKY:
        assert match_view(text, lower=False).lowered() == match_view(text)


def test_lower_chars_keeps_length_and_lowers_each_character_alone():
    for text in _TRICKY:
        assert lower_chars(text) == "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    assert lower_chars("ΟΔΟΣ") == "οδοσ"  # not the final 'ς' of str.lower
    assert lower_chars("İi") == "İi"


def test_only_dotted_capital_i_lowers_to_more_than_one_character():
    """lower_chars relies on it (as of the Unicode version of this Python)."""
    assert [c for c in map(chr, range(0x110000)) if len(c.lower()) != 1] == ["\u0130"]


def test_paragraphs_equal_the_lazy_regex_definition():
    regex = re.compile(r"\S(?:.*?\S)?(?=\n[ \t\r\f\v]*\n|\s*\Z)", re.S)
    for text in _TRICKY + _random_texts("ab. \n\n\t\r\x0b\u00a0!", 3000, seed=2, longest=20):
        expected = [(m.start(), m.end()) for m in regex.finditer(text)]
        assert [(s.start, s.end) for s in paragraphs(text)] == expected, repr(text)


def test_sentence_helpers_equal_their_regex_definitions():
    word_before = re.compile(r"([A-Za-z.]+)\.$")
    closing = re.compile(r"[.!?][\"”’)]*$")
    boundary = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“(\[]?[A-Z0-9])")
    texts = _random_texts('ab.X \n!?:;"”’)]“(0e', 5000, seed=3, longest=16)
    for text in [*texts, "Dr.", "U.S.", "e.g."]:
        m = word_before.search(text)
        word = m.group(1).lower() if m else ""
        known = word in text_module._ABBREVIATIONS or (len(word) == 1 and word.isalpha())
        if text.endswith((".", "!", "?")):  # a chunk before a sentence boundary
            assert text_module._is_abbreviation(text) == (m is not None and known), repr(text)
        stripped = text.strip()
        assert text_module._ends_with_closing(stripped, ".!?") == bool(closing.search(stripped))
        spans = [(m.start(1), m.end()) for m in text_module._BOUNDARY.finditer(text)]
        assert spans == [m.span() for m in boundary.finditer(text)], repr(text)
