"""Literal screening: which alternatives of many regexes can match a text, in one Aho-Corasick pass.

Each alternative is reduced to its required literals: strings one of which, lower-cased, occurs
in the lower-cased text of every match. An alternative whose literals are all absent from a text
matches nowhere in it and is not run; one without usable literals is always run.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence

import ahocorasick

from kg.text import lower_chars

try:
    from re import _parser as sre
except ImportError:  # Python 3.10
    import sre_parse as sre  # type: ignore[no-redef]

_REPEATS = tuple(
    getattr(sre, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(sre, n)
)
_ATOMIC = getattr(sre, "ATOMIC_GROUP", None)
_CACHE_SIZE = 256  # texts whose masks are kept (a sentence is asked about by many cue sets)
_CACHE_CHARS = 2_000_000  # and at most about this much text

Literals = frozenset[str]


class Screened:
    """A text with what a Screen found in it, to pass to its alternations instead of the text.

    `lowered` is the text lower-cased (kg.text.lower_chars); `mask` may hold more alternatives
    than can match (never fewer) and is right for the alternations active at `generation`.
    """

    __slots__ = ("generation", "lowered", "mask", "screen", "text")

    def __init__(self, text: str, lowered: str, mask: int, screen: Screen, generation: int):
        self.text = text
        self.lowered = lowered
        self.mask = mask
        self.screen = screen
        self.generation = generation

    def part(self, start: int, end: int | None = None) -> Screened:
        """`text[start:end]`, screened (this mask still serves it: a superset)."""
        text, lowered = self.text[start:end], self.lowered[start:end]
        return Screened(text, lowered, self.mask, self.screen, self.generation)


def required_literals(pattern: str, flags: int = 0) -> Literals | None:
    """Lower-cased strings one of which every match of `pattern` contains; None when unknown."""
    return _sequence(sre.parse(pattern, flags))


def _sequence(items) -> Literals | None:
    """The best required literals of a sequence: every item of it must match."""
    best: Literals | None = None
    run: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            run.append(chr(arg))
            continue
        if op is sre.AT:  # zero width: the characters on either side are adjacent
            continue
        if run:
            best = _better(best, frozenset({lower_chars("".join(run))}))
            run = []
        best = _better(best, _item(op, arg))
    if run:
        best = _better(best, frozenset({lower_chars("".join(run))}))
    return best


def _item(op, arg) -> Literals | None:
    if op is sre.SUBPATTERN:
        return _sequence(arg[-1])
    if op is _ATOMIC:
        return _sequence(arg)
    if op is sre.BRANCH:
        found = [_sequence(branch) for branch in arg[1]]
        return None if any(f is None for f in found) else frozenset().union(*found)
    if op in _REPEATS and arg[0] >= 1:
        return _sequence(arg[2])
    return None


def _better(a: Literals | None, b: Literals | None) -> Literals | None:
    """The more selective of two literal sets: longer shortest literal, then fewer literals."""
    if a is None or b is None:
        return a if b is None else b
    return max(a, b, key=lambda s: (min(map(len, s)), -len(s)))


def _usable(literals: Literals | None) -> bool:
    """Literals worth screening with: a lone letter or digit would be found almost everywhere."""
    return literals is not None and not any(len(x) == 1 and x.isalnum() for x in literals)


class Alternation:
    """A regex of top-level alternatives, `(?:a1)|(?:a2)|...`, run on a text only through the
    alternatives that may match it (once a Screen holds it).

    The others match nowhere in the text, so `search` and `finditer` find exactly what the whole
    regex does (the same spans, in the same order): the leftmost match, and at one position the
    first alternative in order. `lowered[i]`, when given, is a case-sensitive regex that matches
    the lower-cased text (`kg.text.lower_chars`) exactly where alternative `i` matches the text
    and starts with a literal, so it is searched much faster; the match is then taken from the
    alternative itself at the position found.
    """

    def __init__(self, sources: list[str], flags: int = 0, lowered: list[str | None] | None = None):
        self.sources = tuple(sources)
        self.pattern = re.compile("|".join(f"(?:{a})" for a in sources), flags)
        self.literals = [required_literals(a, flags) for a in sources]
        faster = lowered or [None] * len(sources)
        self._alternatives = [
            _Alternative(re.compile(a, flags), re.compile(fast) if fast else None)
            for a, fast in zip(sources, faster, strict=True)
        ]
        self._whole = (_Alternative(self.pattern),)
        self._everything = (1 << len(sources)) - 1
        self._bits = 0  # the alternatives' bits in the screen's masks
        self._screen: Screen | None = None
        self._offset = 0  # bit of the first alternative in the screen's masks
        self._active = False  # whether the screen looks for its literals yet
        self._kept_by_bits: dict[int, tuple[_Alternative, ...]] = {}

    def search(self, text: str | Screened) -> re.Match[str] | None:
        text, kept, lowered = self._kept(text)
        best = None
        for alternative in kept:
            m = alternative.search(text, lowered)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best

    def finditer(self, text: str | Screened) -> Iterator[re.Match[str]]:
        text, kept, lowered = self._kept(text)
        if not kept:
            return iter(())
        if len(kept) == 1 and kept[0].fast is None:
            return kept[0].pattern.finditer(text)
        return iter(_merged(text, lowered, kept))

    def sub(self, repl: str, text: str | Screened) -> str:
        """`pattern.sub(repl, text)` for a `repl` without group references or escapes."""
        pieces = []
        pos = 0
        plain = text.text if isinstance(text, Screened) else text
        for m in self.finditer(text):
            pieces += [plain[pos : m.start()], repl]
            pos = m.end()
        return "".join([*pieces, plain[pos:]]) if pieces else plain

    def _kept(self, text: str | Screened) -> tuple[str, tuple[_Alternative, ...], str]:
        """The text, the alternatives to run on it (the whole regex alone, or those that may
        match) and the text lower-cased."""
        screen = self._screen
        if type(text) is Screened:
            if text.screen is screen and self._active and text.generation == screen._generation:
                if not text.mask & self._bits:  # the common case, made cheap
                    return text.text, (), text.lowered
                return text.text, self._by_bits(text.mask), text.lowered
            text = text.text
        if screen is None:
            return text, self._whole, text
        if not self._active:
            screen.activate(self)
            self._active = True
        mask, lowered = screen.screen(text)
        return text, self._by_bits(mask), lowered

    def _by_bits(self, mask: int) -> tuple[_Alternative, ...]:
        """The alternatives to run for a screen's `mask`."""
        bits = mask >> self._offset & self._everything
        kept = self._kept_by_bits.get(bits)
        if kept is None:
            if len(self._kept_by_bits) >= _CACHE_SIZE:
                self._kept_by_bits.clear()
            kept = self._kept_by_bits[bits] = self._select(bits)
        return kept

    def _select(self, bits: int) -> tuple[_Alternative, ...]:
        indices = [i for i in range(len(self.sources)) if bits >> i & 1]
        # an alternative without literals might match the empty string, which `_merged` does not
        # handle: the whole regex runs then
        if bits == self._everything or any(self.literals[i] is None for i in indices):
            return self._whole
        return tuple(self._alternatives[i] for i in indices)


class _Alternative:
    """One alternative's regex, and optionally its faster twin for the lower-cased text."""

    __slots__ = ("fast", "pattern")

    def __init__(self, pattern: re.Pattern[str], fast: re.Pattern[str] | None = None):
        self.pattern = pattern
        self.fast = fast

    def search(self, text: str, lowered: str, pos: int = 0) -> re.Match[str] | None:
        if self.fast is None:
            return self.pattern.search(text, pos)
        m = self.fast.search(lowered, pos)
        return None if m is None else self.pattern.match(text, m.start())


def _merged(text: str, lowered: str, kept: tuple[_Alternative, ...]) -> list[re.Match[str]]:
    """Non-overlapping leftmost matches of non-empty-matching alternatives, as one alternation."""
    found = []
    pos = 0
    ahead = [a.search(text, lowered) for a in kept]
    while True:
        best = None
        for i, m in enumerate(ahead):
            if m is not None and m.start() < pos:
                m = ahead[i] = kept[i].search(text, lowered, pos)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return found
        found.append(best)
        pos = best.end()


class Screen:
    """One Aho-Corasick automaton over the required literals of the alternations it holds.

    An alternation's literals join the automaton when it is first run, so that alternations
    only ever used whole (a cue set matched word by word) cost nothing. Masks are cached by text,
    each with the generation of literals it was computed with (safe to share between threads).
    """

    def __init__(self, alternations: Iterable[Alternation] = ()):
        self._held: list[Alternation] = []
        self._bits = 0  # alternatives held
        self._active: list[Alternation] = []
        self._lock = threading.Lock()
        self._generation = 0  # counts activations: masks of earlier generations are stale
        self._stale = False  # an alternation was activated since the automaton was built
        # the automaton (None: no literals) and the bits of alternatives without usable literals
        self._literals: tuple[ahocorasick.Automaton | None, int] = (None, 0)
        self._longest = 0  # length of the longest literal
        self._folds: _FoldCheck | None = None  # None: to be made for the alternations held
        self._cache: dict[str, tuple[int, int, str]] = {}  # text: generation, mask, lower case
        self._cached_chars = 0
        for alternation in alternations:
            self.hold(alternation)

    def hold(self, alternation: Alternation) -> None:
        """Screen for `alternation` (once it first runs)."""
        with self._lock:
            alternation._screen, alternation._offset = self, self._bits
            alternation._bits = alternation._everything << self._bits
            self._bits += len(alternation.sources)
            self._held.append(alternation)
            self._folds = None

    def activate(self, alternation: Alternation) -> None:
        """Look for the literals of `alternation` from now on."""
        with self._lock:
            if alternation not in self._active:
                self._active.append(alternation)
                self._stale = True
                self._generation += 1

    def screen(self, text: str) -> tuple[int, str]:
        """Bits of the alternatives that may match `text` (right for the active alternations),
        and `text` lower-cased."""
        generation = self._generation
        found = self._cache.get(text)
        if found is not None and found[0] == generation:
            return found[1], found[2]
        mask, lowered = self._compute(text)
        if self._cached_chars + len(text) > _CACHE_CHARS or len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
            self._cached_chars = 0
        self._cache[text] = (generation, mask, lowered)
        self._cached_chars += len(text)
        return mask, lowered

    def screened(self, text: str) -> Screened:
        """`text` with its mask, to ask many alternations about it."""
        generation = self._generation
        mask, lowered = self.screen(text)
        return Screened(text, lowered, mask, self, generation)

    def passages(self, text: str, spans: Sequence[tuple[int, int]]) -> tuple[Screened, list[Screened]]:
        """`text`, and its pieces from `start` to `end` for each of `spans` (in order, not
        overlapping), screened in one pass over `text`."""
        generation = self._generation
        lowered = lower_chars(text)
        whole = (1 << self._bits) - 1
        masks = [whole] * len(spans)
        if self._fold_safe(text):
            whole, masks = self._scan(lowered, spans)
        pieces = [
            Screened(text[start:end], lowered[start:end], mask, self, generation)
            for (start, end), mask in zip(spans, masks, strict=True)
        ]
        return Screened(text, lowered, whole, self, generation), pieces

    def joined(self, pieces: Sequence[Screened]) -> Screened:
        """The pieces' texts joined by spaces, screened from their masks and the literals found
        across each join (any literal holding a joining space lies within its longest length)."""
        generation = self._generation
        text = " ".join(p.text for p in pieces)
        if any(p.screen is not self or p.generation != generation for p in pieces):
            return self.screened(text)
        mask = 0
        for p in pieces:
            mask |= p.mask
        reach = max(self._longest - 1, 0)
        space = -1
        for p in pieces[:-1]:
            space += len(p.text) + 1
            mask |= self._compute(text[max(0, space - reach) : space + reach + 1])[0]
        return Screened(text, " ".join(p.lowered for p in pieces), mask, self, generation)

    def _scan(self, lowered: str, spans: Sequence[tuple[int, int]]) -> tuple[int, list[int]]:
        """The mask of `lowered`, and of each of its spans: the literals found wholly inside."""
        if self._stale:
            self._build()
        automaton, always = self._literals
        masks = [always] * len(spans)
        whole = always
        if automaton is None:
            return whole, masks
        k, count = 0, len(spans)
        for last, (length, mask) in automaton.iter(lowered):  # by increasing end
            whole |= mask
            while k < count and spans[k][1] <= last:
                k += 1
            if k < count and spans[k][0] <= last - length + 1:
                masks[k] |= mask
        return whole, masks

    def _fold_safe(self, text: str) -> bool:
        if self._folds is None:
            # every character the regexes name (a superset of their literals' characters)
            self._folds = _FoldCheck(lower_chars("".join(a for alt in self._held for a in alt.sources)))
        return self._folds.safe(text)

    def _compute(self, text: str) -> tuple[int, str]:
        lowered = lower_chars(text)
        if not self._fold_safe(text):
            return (1 << self._bits) - 1, lowered
        if self._stale:
            self._build()
        automaton, found = self._literals
        if automaton is not None:
            for _, (_, mask) in automaton.iter(lowered):
                found |= mask
        return found, lowered

    def _build(self) -> None:
        with self._lock:
            if not self._stale:
                return
            always = 0
            masks: dict[str, int] = {}
            for alternation in self._active:
                for bit, literals in enumerate(alternation.literals, alternation._offset):
                    if _usable(literals):
                        for literal in literals:
                            masks[literal] = masks.get(literal, 0) | 1 << bit
                    else:
                        always |= 1 << bit
            automaton = None
            if masks:
                automaton = ahocorasick.Automaton()
                for literal, mask in masks.items():
                    automaton.add_word(literal, (len(literal), mask))
                automaton.make_automaton()
            self._literals = (automaton, always)
            self._longest = max(map(len, masks), default=0)
            self._stale = False


class _FoldCheck:
    """Whether lower-casing a text keeps every case-insensitive match of the given characters:
    whether a character matches one of them ignoring case exactly when its lower case is it.

    A regex ignoring case matches 'ſ' for 's' and 'ı' or 'İ' for 'i', which lower-casing does not
    turn into those letters; a text holding such a character is not screened.
    """

    def __init__(self, chars: str):
        distinct = sorted(set(chars))
        self._any = re.compile("[" + "".join(re.escape(c) for c in distinct) + "]", re.IGNORECASE)
        self._chars = [(c, re.compile(re.escape(c), re.IGNORECASE)) for c in distinct]
        self._safe: set[str] = set()
        self._unsafe: set[str] = set()
        # usually every ASCII character is safe: then an ASCII text is
        self._ascii_safe = all(self._is_safe(chr(i)) for i in range(128))

    def safe(self, text: str) -> bool:
        if self._ascii_safe and text.isascii():
            return True
        return all(self._is_safe(ch) for ch in set(text).difference(self._safe))

    def _is_safe(self, ch: str) -> bool:
        if ch in self._unsafe:
            return False
        if self._any.fullmatch(ch) and any(
            rx.fullmatch(ch) and lower_chars(ch) != c for c, rx in self._chars
        ):
            self._unsafe.add(ch)
            return False
        self._safe.add(ch)
        return True


SHARED = Screen()  # one pass over a text serves every regex the extractors screen


def screened(pattern: str, flags: int = 0) -> Alternation:
    """`re.compile(pattern, flags)` as an Alternation of one alternative that only runs on texts
    holding one of its required literals."""
    alternation = Alternation([pattern], flags)
    SHARED.hold(alternation)
    return alternation
