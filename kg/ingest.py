"""Ingest: read text, Markdown and HTML files into Documents (text, title, kind, stable id)."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import IngestError
from kg.lexicon import CueSet, Lexicon, load_lexicon
from kg.model import Document

log = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
DEFAULT_MAX_BYTES = 5_000_000
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


@dataclass(frozen=True)
class Source:
    """A file to ingest and the name it is known by (its path relative to the root given)."""

    path: Path
    name: str


def discover(paths: list[Path]) -> list[Source]:
    """Files to ingest under `paths` (files as given; folders recursively), sorted by name."""
    sources: dict[str, Source] = {}
    for root in paths:
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith("."):
                    name = p.relative_to(root).as_posix()
                    sources.setdefault(name, Source(p, name))
        elif root.is_file():
            sources.setdefault(root.name, Source(root, root.name))
        else:
            raise IngestError(f"{root}: no such file or folder")
    return [sources[k] for k in sorted(sources)]


def decode(data: bytes, name: str) -> str:
    """Decode bytes as UTF-8, then cp1252, then latin-1; reject binary content."""
    if not data.strip():
        raise IngestError(f"{name}: empty file")
    if b"\x00" in data[:8192]:
        raise IngestError(f"{name}: binary file (contains NUL bytes), not text")
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding != "utf-8-sig":
            log.warning("%s: not valid UTF-8; decoded as %s", name, encoding)
        control = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
        if control > 0.05 * min(len(text), 8192):
            raise IngestError(f"{name}: binary file (control characters), not text")
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise IngestError(f"{name}: cannot decode as UTF-8, cp1252 or latin-1")


_MONTHS = {
    m: i
    for i, m in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        1,
    )
}
_DATE_LINE = re.compile(
    r"\b(?:published|updated|posted|last updated|reviewed)(?: on)?:?\s+"
    r"(?:(\d{4})-(\d{2})-(\d{2})|([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})|(\d{1,2})\s+([A-Z][a-z]+)\s+(\d{4}))",
    re.IGNORECASE,
)


def find_date(text: str) -> str | None:
    """An ISO date from a 'Published on …' / 'Updated: …' line, if the text states one."""
    m = _DATE_LINE.search(text)
    if not m:
        return None
    if m.group(1):
        return f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
    month_name, day, year = (
        (m.group(4), m.group(5), m.group(6)) if m.group(4) else (m.group(8), m.group(7), m.group(9))
    )
    month = _MONTHS.get(month_name.lower())
    return f"{year}-{month:02d}-{int(day):02d}" if month else None


def html_to_text(html: str, name: str) -> tuple[str, str | None, str | None]:
    """Main article text, title and date of an HTML page (trafilatura), paragraphs on blank lines."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            html,
            include_comments=False,
            include_tables=True,
            favor_recall=True,
            with_metadata=True,
        )
    except Exception as exc:  # trafilatura raises many kinds on broken markup
        raise IngestError(f"{name}: malformed HTML ({exc.__class__.__name__})") from exc
    if extracted is None:
        raise IngestError(f"{name}: HTML has no article text")
    data = extracted if isinstance(extracted, dict) else extracted.as_dict()
    text = (data.get("text") or "").strip()
    if not re.search(r"[^\W\d_]{2,}", text):
        raise IngestError(f"{name}: HTML has no article text")
    text = re.sub(r"\n(?!\n)", "\n\n", text)
    date = data.get("date") or None
    return text, (data.get("title") or None), (str(date)[:10] if date else None)


def guess_title(text: str, lexicon: Lexicon | None = None) -> str:
    """First line of the text that is no banner ("medRxiv preprint doi: …"), shortened to 200
    characters."""
    banner = (lexicon or load_lexicon())["banner"]
    for line in text.splitlines():
        line = line.strip()
        if line and not banner.search(line):
            return line if len(line) <= 200 else line[:197].rstrip() + "..."
    return ""


def infer_kind(text: str, lexicon: Lexicon) -> tuple[str, str, bool]:
    """Document kind from weighted cue counts, with the cues that decided it and whether such
    documents report a study of their own."""
    scores: list[tuple[float, str, list[str], CueSet]] = []
    for cue_set in lexicon.prefixed("kind-"):
        cues = cue_set.find(text)
        scores.append((cue_set.weight * len(cues), cue_set.name, cues, cue_set))
    scores.sort(key=lambda s: (-s[0], s[1]))
    if not scores or scores[0][0] < 4:
        return "other", "no kind has enough cues", False
    score, _, cues, best = scores[0]
    shown = ", ".join(f'"{c}"' for c in cues[:6])
    reason = f"{best.name.removeprefix('kind-')} cues (score {score:g}): {shown}"
    return best.label, reason, best.reports_own_study


def document_id(name: str, text: str) -> str:
    """Stable id from the document's name and content."""
    return hashlib.sha256(f"{name}\x00{text}".encode()).hexdigest()[:16]


def read_document(
    source: Source, max_bytes: int = DEFAULT_MAX_BYTES, lexicon: Lexicon | None = None
) -> Document:
    """Read one file into a Document, or raise IngestError naming the file and the problem."""
    name = source.name
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise IngestError(f"{name}: too large ({size:,} bytes; limit {max_bytes:,})")
        data = source.path.read_bytes()
    except OSError as exc:
        raise IngestError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    raw = decode(data, name)
    title = date = None
    media_type = "text/plain"
    if source.path.suffix.lower() in HTML_SUFFIXES or raw.lstrip()[:15].lower().startswith(
        ("<!doctype html", "<html")
    ):
        text, title, date = html_to_text(raw, name)
        media_type = "text/html"
    else:
        text = raw
        if source.path.suffix.lower() in {".md", ".markdown"}:
            media_type = "text/markdown"
    if not re.search(r"[^\W\d_]{2,}", text):
        raise IngestError(f"{name}: no readable text (no words found)")
    lexicon = lexicon or load_lexicon()
    # an HTML page's title (which trafilatura keeps out of the text) often names what it is
    kind, reason, own_study = infer_kind(f"{title}\n\n{text}" if title else text, lexicon)
    return Document(
        doc_id=document_id(name, text),
        name=name,
        text=text,
        title=title or guess_title(text, lexicon),
        kind=kind,
        kind_reason=reason,
        own_study=own_study,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        date=date or find_date(text),
    )


def read_documents(
    sources: list[Source], max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | IngestError]:
    """Documents in order; a file that cannot be read yields its IngestError instead."""
    lexicon = load_lexicon()
    for source in sources:
        try:
            yield read_document(source, max_bytes, lexicon)
        except IngestError as exc:
            yield exc
