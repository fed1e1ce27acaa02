"""Sources in ``raw/`` to :class:`~pipeline.schema.Document` records, or to error rows.

Every way a file can be wrong ends here as an :class:`~pipeline.schema.ErrorRow` with a reason a
person can act on; nothing below raises for bad input, so one broken file never stops a batch.
Text is kept exactly as decoded (no stripping, no newline translation) because every offset in the
dataset points into it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from pipeline.schema import Document, ErrorRow
from pipeline import settings

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
SIDECAR_SUFFIX = ".meta.json"
META_FIELDS = ("title", "url", "source", "published", "language")
# Language identification is unreliable on a line or two; below this the text is accepted as is.
MIN_CHARS_FOR_LANGUAGE_CHECK = 200
MIN_LANGUAGE_CONFIDENCE = 0.90
# The opening of an article decides its language as well as the whole text, at a fraction of the cost.
LANGUAGE_SAMPLE_CHARS = 2000
# trafilatura falls back to whatever text a page has ("Home"); fewer words than this is not an article.
MIN_HTML_ARTICLE_WORDS = 20
# Where charset-normalizer finds several encodings equally plausible (common on short texts), the
# Western ones win: this is an English-language pipeline and cp1252/latin-1 are what legacy English
# and Western European newsroom systems write.
PREFERRED_LEGACY_ENCODINGS = ("cp1252", "latin_1", "iso8859_15")


@dataclass
class IngestResult:
    documents: list[Document] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)


class BadInput(ValueError):
    """A source that cannot become a document; the message is the reason users will read."""


def discover(raw_dir: Path) -> list[Path]:
    """Article sources under ``raw_dir``, in a stable order (sorted by relative path).

    Sidecars, hidden files and READMEs are not sources; anything else with an unknown suffix is
    returned too, so that :func:`read_sources` can report it instead of silently skipping it.
    """
    found = []
    for path in sorted(p for p in raw_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.name.endswith(SIDECAR_SUFFIX) or path.name.lower().startswith("readme"):
            continue
        found.append(path)
    return found


@dataclass(frozen=True)
class SourceStat:
    """What ``stat`` says of a source (and of its sidecar): enough to know it did not change."""

    source_path: str
    size: int
    mtime_ns: int
    inode: int
    sidecar: str | None

    @classmethod
    def of(cls, path: Path, source_path: str, sidecar: Path | None) -> SourceStat:
        st = path.stat()
        side = None
        if sidecar is not None:
            try:
                ss = sidecar.stat()
                side = f"{ss.st_size}:{ss.st_mtime_ns}:{ss.st_ino}"
            except FileNotFoundError:
                side = None
        return cls(source_path, st.st_size, st.st_mtime_ns, st.st_ino, side)


def stat_sources(raw_dir: Path) -> list[tuple[Path, SourceStat]]:
    """Every source with its stat (and its sidecar's), without opening any of them."""
    out = []
    for path in discover(raw_dir):
        sidecar = sidecar_of(path)
        try:
            out.append((path, SourceStat.of(path, path.relative_to(raw_dir).as_posix(), sidecar)))
        except OSError:
            continue  # vanished between listing and stat: it will be missed, like a file added a moment later
    return out


def sidecar_of(path: Path) -> Path | None:
    """The ``NAME.meta.json`` of a ``.txt``/``.html`` article (jsonl lines carry their own metadata)."""
    if path.suffix.lower() == ".jsonl":
        return None
    return path.with_name(_doc_id_for(path) + SIDECAR_SUFFIX)


def content_hash(path: Path, sidecar: Path | None) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if sidecar is not None and sidecar.exists():
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


def read_source(path: Path, raw_dir: Path) -> tuple[list[Document], list[ErrorRow]]:
    """The documents of one source and its error rows; never raises for bad input."""
    source_path = path.relative_to(raw_dir).as_posix()
    try:
        return _read_one(path, source_path)
    except BadInput as exc:
        return [], [ErrorRow(source_path, _doc_id_for(path), "ingest", str(exc))]
    except OSError as exc:
        return [], [ErrorRow(source_path, _doc_id_for(path), "ingest", f"cannot read file: {exc}")]
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on absurdly nested JSON: one row, not a crash
        return [], [ErrorRow(source_path, _doc_id_for(path), "ingest", f"unreadable: {type(exc).__name__}: {exc}")]


def read_sources(paths: list[Path], raw_dir: Path) -> IngestResult:
    """Read every source; duplicate doc_ids keep the first source and report the others."""
    result = IngestResult()
    seen: dict[str, str] = {}
    for path in paths:
        source_path = path.relative_to(raw_dir).as_posix()
        docs, errors = read_source(path, raw_dir)
        result.errors.extend(errors)
        for doc in docs:
            if doc.doc_id in seen:
                result.errors.append(ErrorRow(
                    source_path, doc.doc_id, "ingest",
                    f"duplicate doc_id {doc.doc_id!r}: already read from {seen[doc.doc_id]}; this copy is skipped",
                ))
                continue
            seen[doc.doc_id] = source_path
            result.documents.append(doc)
    return result


def _doc_id_for(path: Path) -> str:
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def _read_one(path: Path, source_path: str) -> tuple[list[Document], list[ErrorRow]]:
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES:
        raise BadInput(f"unsupported file type {path.suffix or '(none)'!r}; expected one of {', '.join(ARTICLE_SUFFIXES)}")
    if suffix == ".jsonl":
        return _read_jsonl(path, source_path)
    size = path.stat().st_size
    limit = settings.current().max_file_bytes
    if size > limit:
        raise BadInput(f"file too large: {size:,} bytes (limit {limit:,}); split it or raise PIPELINE_MAX_FILE_BYTES")
    text = decode(path.read_bytes())
    errors: list[ErrorRow] = []
    meta = {}
    sidecar = path.with_name(_doc_id_for(path) + SIDECAR_SUFFIX)
    if sidecar.exists():
        try:
            meta = _read_sidecar(sidecar)
        except BadInput as exc:
            errors.append(ErrorRow(str(Path(source_path).with_name(sidecar.name)), _doc_id_for(path), "ingest", f"sidecar ignored: {exc}"))
    meta["published"] = _published(meta.get("published"), source_path, _doc_id_for(path), errors)
    title = meta.get("title")
    if suffix in (".html", ".htm"):
        text, html_title = html_to_text(text)
        title = title or html_title
    else:
        title = title or _first_line(text)
    doc = make_document(_doc_id_for(path), source_path, text, title=title, **{k: meta.get(k) for k in META_FIELDS if k != "title"})
    return [doc], errors


def _read_jsonl(path: Path, source_path: str) -> tuple[list[Document], list[ErrorRow]]:
    docs, errors = [], []
    max_chars = settings.current().max_doc_chars
    with path.open("rb") as handle:
        for lineno, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            where = f"line {lineno}"
            doc_id = None
            try:
                record = json.loads(decode(raw_line))
                if not isinstance(record, dict):
                    raise BadInput(f"{where}: expected a JSON object, got {type(record).__name__}")
                doc_id = record.get("id")
                if doc_id is None or str(doc_id).strip() == "":
                    raise BadInput(f"{where}: missing 'id'")
                doc_id = str(doc_id)
                text = record.get("text")
                if not isinstance(text, str):
                    raise BadInput(f"{where}: 'text' missing or not a string")
                if len(text) > max_chars:
                    raise BadInput(f"{where}: text too large: {len(text):,} characters (limit {max_chars:,})")
                meta = {k: record.get(k) for k in META_FIELDS}
                meta["title"] = _clean_str(meta["title"]) or _first_line(text)  # as for .txt: else the first line
                meta["published"] = _published(meta["published"], source_path, doc_id, errors, where)
                docs.append(make_document(doc_id, source_path, text, **meta))
            except json.JSONDecodeError as exc:
                errors.append(ErrorRow(source_path, None, "ingest", f"{where}: malformed JSON: {exc.msg} at column {exc.colno}"))
            except RecursionError:
                errors.append(ErrorRow(source_path, None, "ingest", f"{where}: malformed JSON: nested too deeply"))
            except BadInput as exc:
                message = str(exc) if str(exc).startswith(where) else f"{where}: {exc}"
                errors.append(ErrorRow(source_path, doc_id, "ingest", message))
    if not docs and not errors:
        errors.append(ErrorRow(source_path, None, "ingest", "empty file: no articles"))
    return docs, errors


def _read_sidecar(path: Path) -> dict:
    try:
        meta = json.loads(decode(path.read_bytes()))
    except (json.JSONDecodeError, BadInput) as exc:
        raise BadInput(f"malformed JSON in {path.name}: {exc}") from None
    except RecursionError:
        raise BadInput(f"malformed JSON in {path.name}: nested too deeply") from None
    if not isinstance(meta, dict):
        raise BadInput(f"{path.name} is not a JSON object")
    return {k: meta.get(k) for k in META_FIELDS}


def _published(value, source_path: str, doc_id: str, errors: list[ErrorRow], where: str = "") -> datetime | None:
    """A bad ``published`` costs the document its date, not the document itself."""
    try:
        return parse_published(value)
    except BadInput as exc:
        prefix = f"{where}: " if where else ""
        errors.append(ErrorRow(source_path, doc_id, "ingest", f"{prefix}{exc}; published left empty"))
        return None


def make_document(doc_id: str, source_path: str, text: str, *, title=None, url=None, source=None,
                  published=None, language=None) -> Document:
    """A checked Document: rejects empty and non-English text, parses ``published``."""
    if not text.strip():
        raise BadInput("empty document: no text")
    language = (language or "").strip().lower() or None
    if language and not language.startswith("en"):
        raise BadInput(f"non-English article (metadata language {language!r}); the English model would produce meaningless entities")
    detected = detect_language(text)
    if detected and detected[0] != "en":
        raise BadInput(
            f"non-English article (detected {detected[0]!r}, p={detected[1]:.2f}); "
            "the English model would produce meaningless entities"
        )
    return Document(
        doc_id=doc_id,
        source_path=source_path,
        text=text,
        title=_clean_str(title),
        url=_clean_str(url),
        source=_clean_str(source),
        published=parse_published(published),
        language=language or "en",
        n_chars=len(text),
        content_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def decode(data: bytes) -> str:
    """Bytes to text: UTF-8 when it is, else the encoding charset-normalizer finds; binary is refused."""
    if not data.strip():
        raise BadInput("empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    sample = data[:8192]
    if b"\x00" in sample and not (sample.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise BadInput("binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        matches = from_bytes(data)
        best = matches.best()
        if best is None:
            raise BadInput("binary or undecodable file: no text encoding fits") from None
        preferred = [m for m in matches if m.encoding in PREFERRED_LEGACY_ENCODINGS and m.chaos <= best.chaos]
        text = str(preferred[0] if preferred else best)
    if _control_ratio(text[:8192]) > 0.05:
        raise BadInput("binary file (mostly control characters), not text")
    return text


# Unicode categories Cc (controls, but not the whitespace ones), Cs (surrogates), Co (private use).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]")


def _control_ratio(text: str) -> float:
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


def html_to_text(html: str) -> tuple[str, str | None]:
    """Main article text of a page (trafilatura drops navigation, footers, ads)."""
    import trafilatura

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    text = getattr(extracted, "text", None) if extracted is not None else None
    n_words = len(text.split()) if text else 0
    if n_words < MIN_HTML_ARTICLE_WORDS:
        raise BadInput(f"no article text found in the HTML page ({n_words} words outside markup and navigation)")
    return text, _clean_str(getattr(extracted, "title", None))


@lru_cache(maxsize=1)
def _language_identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float] | None:
    """(language, probability) when the text is long enough and the model is confident, else None."""
    if len(text.strip()) < MIN_CHARS_FOR_LANGUAGE_CHECK:
        return None
    lang, prob = _language_identifier().classify(text[:LANGUAGE_SAMPLE_CHARS])
    return (lang, float(prob)) if prob >= MIN_LANGUAGE_CONFIDENCE else None


def parse_published(value) -> datetime | None:
    """ISO 8601 (date or date-time) to an aware datetime; naive values are taken as UTC.

    The offset is kept as written: the article's own calendar date (the DCT) is the local one, and
    "21:30-05:00" is still the 22nd where it was published. The table stores the instant in UTC.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            raise BadInput(f"'published' is not an ISO 8601 date: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    try:
        parsed.astimezone(timezone.utc)
    except OverflowError:
        raise BadInput(f"'published' is out of range: {value!r}") from None
    return parsed


def _first_line(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:300]
    return None


def _clean_str(value) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None
