"""Literal screening (kg/screen.py) finds exactly what the whole regexes find, only sooner."""

from __future__ import annotations

import random
import re

import pytest

from kg.lexicon import load_lexicon, lowered_term_pattern, term_pattern
from kg.screen import SHARED, Alternation, Screen, required_literals, screened
from kg.text import lower_chars

# characters that a regex ignoring case matches for ASCII letters though lower-casing does not
# give those letters ('ſ' is an 's', 'ı' and 'İ' are an 'i'), and others that lower oddly
_ODD = ["ſ", "İ", "ı", "\u212a", "Σ", "ς", "ẞ", "é", "’", "_", "x", "1", "-", "  ", "\n", "\t"]


def _texts(words: list[str], count: int, seed: int) -> list[str]:
    """Random texts of the given words in mixed case, glued or spaced in various ways."""
    rng = random.Random(seed)

    def word() -> str:
        w = rng.choice(words)
        case = rng.random()
        if case < 0.2:
            w = w.upper()
        elif case < 0.4:
            w = w.capitalize()
        elif case < 0.5:
            w = "".join(c.upper() if rng.random() < 0.5 else c for c in w)
        if rng.random() < 0.1:
            w += rng.choice(["s", "ed", "_", "x", "1"])
        if rng.random() < 0.05:
            w = rng.choice(["_", "x", "1", "."]) + w
        return w

    glue = [" ", " ", "-", "  ", "\n", ", ", ". ", ""]
    return ["".join(word() + rng.choice(glue) for _ in range(rng.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize(
    ("pattern", "flags", "expected"),
    [
        (term_pattern("suggest*"), re.I, {"suggest"}),
        (term_pattern("side effects"), re.I, {"effects"}),  # the longest word
        (term_pattern("well-studied"), re.I, {"well-studied"}),
        (r"\bnow (?:able|walks)\b", 0, {"now "}),
        (r"^(to learn more|objective|methods?\b)", 0, {"to learn more", "objective", "method"}),
        (r"\b(?i:One such case is|meet)\s+[A-Z][a-z]+", 0, {"one such case is", "meet"}),
        (r"\?\s*$", 0, {"?"}),
        (r"(ab)+c", 0, {"ab"}),
        (r"a*b?", 0, None),  # matches the empty string
        (r"[A-Z][a-z]+", 0, None),
        (r"\d+ (?:patients|children)", 0, {"patients", "children"}),
        (r"x|\d", 0, None),  # one branch without literals: none for the whole
    ],
)
def test_required_literals(pattern, flags, expected):
    found = required_literals(pattern, flags)
    assert (set(found) if found is not None else None) == expected


def test_cue_sets_find_what_their_whole_regex_finds():
    lexicon = load_lexicon()
    words = sorted({w for s in lexicon.sets.values() for t in s.terms for w in re.split(r"[\s*]+", t) if w})
    extra = ["now able", "$", "Improvement", "One such case is Maria", "meet Tom", "no control group", "?"]
    for text in _texts(words + extra + _ODD, 1500, seed=7):
        for name, cues in lexicon.sets.items():
            whole = cues.pattern
            m, expected = cues.search(text), whole.search(text)
            assert (m and (m.span(), m.group(0))) == (expected and (expected.span(), expected.group(0))), name
            assert [m.span() for m in cues.finditer(text)] == [m.span() for m in whole.finditer(text)], name
            assert cues.sub(" ", text) == whole.sub(" ", text), name


def test_lowered_term_patterns_match_the_lower_cased_text_where_terms_match_the_text():
    terms = sorted({t for s in load_lexicon().sets.values() for t in s.terms})
    words = sorted({w for t in terms for w in re.split(r"[\s*]+", t) if w})
    texts = _texts([*words, "_", "x", "1", "-"], 300, seed=9)
    for term in terms:
        lowered = lowered_term_pattern(term)
        if lowered is None:
            assert not term.isascii()
            continue
        assert not lowered.startswith(("\\b", "(", "[")), lowered  # a literal first: scanned for
        original, fast = re.compile(term_pattern(term), re.I | re.M), re.compile(lowered)
        for text in texts:
            expected = [m.span() for m in original.finditer(text)]
            assert [m.span() for m in fast.finditer(lower_chars(text))] == expected, (term, text)


def test_an_alternation_without_a_screen_runs_whole():
    alternation = Alternation([r"\bcat\b", r"dog"], re.I)
    assert [m.group(0) for m in alternation.finditer("Dog, CAT and hotdog")] == ["Dog", "CAT", "dog"]
    assert alternation.search("a cat").span() == (2, 5)


def test_screened_regex_keeps_groups_and_matches():
    rx = screened(r"\b(\d+)\s+(patients|children)\b", re.I)
    text = "We saw 12 Patients and 3 children; 40 adults."
    assert [(m.span(), m.group(1), m.group(2)) for m in rx.finditer(text)] == [
        ((7, 18), "12", "Patients"),
        ((23, 33), "3", "children"),
    ]
    assert rx.search("no one here") is None
    assert rx.search("ſ 5 children").group(1) == "5"  # an unscreenable text runs the whole regex


def test_literals_join_the_screen_only_once_an_alternation_runs():
    used, unused = Alternation([r"\bapple\b"], re.I), Alternation([r"\bpear\b"], re.I)
    screen = Screen([used, unused])
    assert used.search("An APPLE.").group(0) == "APPLE"
    automaton = screen._literals[0]
    assert automaton is not None and "pear" not in automaton
    assert unused.search("a Pear") is not None
    assert "pear" in screen._literals[0]


@pytest.mark.parametrize("odd", [[], ["ſ", "İ", "Σ"]])  # without odd characters, screened
def test_cue_sets_find_in_screened_passages_what_their_whole_regex_finds(odd):
    lexicon = load_lexicon()
    words = sorted({w for s in lexicon.sets.values() for t in s.terms for w in re.split(r"[\s*]+", t) if w})
    texts = _texts([*words, *odd, "-", ".", "_"], 400, seed=11)
    document = "\n".join(texts)
    spans, start = [], 0
    for text in texts:
        spans.append((start, start + len(text)))
        start += len(text) + 1
    whole, pieces = SHARED.passages(document, spans)
    joined = [SHARED.joined(pieces[i : i + 3]) for i in range(0, len(pieces), 3)]
    for screened_text in [whole, *pieces, *joined, *(p.part(len(p.text) // 3, -2) for p in pieces)]:
        text = screened_text.text
        for name, cues in lexicon.sets.items():
            whole_regex = cues.pattern
            m, expected = cues.search(screened_text), whole_regex.search(text)
            assert (m and m.span()) == (expected and expected.span()), (name, text)
            found = [m.span() for m in cues.finditer(screened_text)]
            assert found == [m.span() for m in whole_regex.finditer(text)], (name, text)


def test_a_joined_passage_finds_literals_across_the_join():
    pair = Alternation([r"\bstem cells\b", r"\bcord\s+blood\b"], re.I)
    screen = Screen([pair])
    pair.search("warm-up")  # the alternation's literals join the screen
    text = "We use stem\ncells. Umbilical cord\n\nblood"
    _, pieces = screen.passages(text, [(0, 11), (12, 18), (19, 33), (35, 40)])
    assert [pair.search(p) for p in pieces] == [None] * 4
    assert pair.search(screen.joined(pieces[:2])).group(0) == "stem cells"
    assert pair.search(screen.joined(pieces[2:])).group(0) == "cord blood"


def test_a_passage_screened_before_an_alternation_first_ran_is_screened_again():
    first, second = Alternation([r"\bapple\b"], re.I), Alternation([r"\bpear\b"], re.I)
    screen = Screen([first, second])
    assert first.search("an apple") is not None
    whole, (piece,) = screen.passages("An apple and a PEAR", [(0, 19)])
    assert second.search(piece).group(0) == "PEAR"  # its literals were not screened for yet
    assert second.search(whole).group(0) == "PEAR"


def test_every_lexicon_regex_has_literals_to_screen_for():
    """A cue-set regex with no literal the screen can look for (a character class like "[★☆]{3}")
    makes its whole set run on every sentence; only these few are known to need it."""
    from rdflib import Graph, Namespace

    from kg.paths import ontology_dir
    from kg.screen import _usable, required_literals

    hckg = Namespace("https://w3id.org/hckg/ontology#")
    graph = Graph().parse(ontology_dir() / "lexicon.ttl")
    unscreened = {
        str(cue_set).rsplit("/", 1)[-1]
        for cue_set, rx in graph.subject_objects(hckg.regex)
        if not _usable(required_literals(str(rx), re.IGNORECASE))
    }
    assert unscreened <= {"p-value", "price", "kind-abstract"}, unscreened
