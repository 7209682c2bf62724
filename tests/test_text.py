"""Sentence segmentation keeps exact offsets."""

from kg.text import match_view, split_sentences


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


def test_paragraph_numbers():
    sentences = split_sentences("One. Two.\n\nThree.")
    assert [s.paragraph for s in sentences] == [0, 0, 1]


def test_match_view_maps_back_to_original_offsets():
    text = "UC–MSC  stem\ncells"
    view = match_view(text)
    assert view.text == "uc msc stem cells"
    span = view.original(0, len(view.text))
    assert text[span.start : span.end] == text
