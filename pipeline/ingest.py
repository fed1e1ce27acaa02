"""Sources in ``raw/`` to :class:`~pipeline.schema.Document` records, or to error rows.

Every way a file can be wrong ends here as an :class:`~pipeline.schema.ErrorRow` with a reason a
person can act on; nothing below raises for bad input, so one broken file never stops a batch.
Text is kept exactly as decoded (no stripping, no newline translation) because every offset in the
dataset points into it.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Generator, Iterable, Iterator

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
# A jsonl is handed on this many documents at a time (read_source_parts).
PART_DOCS = 256
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


def discover(raw_dir: Path, follow_symlinks: bool = False) -> list[Path]:
    """Article sources under ``raw_dir``, in a stable order (sorted by relative path).

    Sidecars, hidden files (names starting with a dot) and READMEs are not sources; anything else
    is returned, so that :func:`read_sources` reports what it cannot read instead of skipping it
    silently: unknown suffixes, named pipes, sockets and devices, symbolic links (they are checked
    when read), directories that cannot be listed, and directories named like an article file
    (whose files are read as usual). A symbolic link to a directory is descended into only with
    ``follow_symlinks``, and then once per real directory, so a link loop cannot make the walk
    endless. Nothing is opened here: a named pipe is never read.
    """
    raw_dir = Path(raw_dir)
    found: list[Path] = []
    seen_dirs: set[tuple[int, int]] = set()
    todo = [raw_dir]
    while todo:
        directory = todo.pop()
        try:
            info = os.stat(directory)
            if (info.st_dev, info.st_ino) in seen_dirs:
                continue  # reached again through a link: already walked
            seen_dirs.add((info.st_dev, info.st_ino))
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            if directory != raw_dir:
                found.append(directory)  # read_sources says why it cannot be listed
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                is_link, is_dir = entry.is_symlink(), entry.is_dir(follow_symlinks=follow_symlinks)
            except OSError:
                is_link, is_dir = True, False
            if is_dir:
                todo.append(path)
                if path.suffix.lower() in ARTICLE_SUFFIXES and not is_link:
                    found.append(path)  # reported (and its files still read)
                continue
            if entry.name.endswith(SIDECAR_SUFFIX) or entry.name.lower().startswith("readme"):
                continue
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(raw_dir).as_posix())


@dataclass(frozen=True)
class SourceStat:
    """What ``stat`` says of a source (and of its sidecar): enough to know it did not change.

    A symbolic link is described by its target when it has one, else (dangling, a loop) by the
    link itself: stating never opens anything, so a named pipe is as safe here as a file.
    """

    source_path: str
    size: int
    mtime_ns: int
    inode: int
    sidecar: str | None

    @classmethod
    def of(cls, path: Path, source_path: str, sidecar: Path | None) -> SourceStat:
        st = _stat(path)
        side = None
        if sidecar is not None and os.path.lexists(sidecar):
            ss = _stat(sidecar)
            side = f"{ss.st_size}:{ss.st_mtime_ns}:{ss.st_ino}"
        return cls(source_path, st.st_size, st.st_mtime_ns, st.st_ino, side)


def _stat(path: Path) -> os.stat_result:
    try:
        return os.stat(path)
    except OSError:
        return os.lstat(path)  # a dangling link or a loop: the link itself (reading it says which)


def stat_sources(raw_dir: Path, follow_symlinks: bool = False) -> list[tuple[Path, SourceStat]]:
    """Every source with its stat (and its sidecar's), without opening any of them.

    ``source_path`` is :func:`printable` (a file name that is not UTF-8 is written with escapes),
    so that it can be stored; :func:`read_source` turns such a name into an error row.
    """
    out = []
    for path in discover(raw_dir, follow_symlinks):
        sidecar = sidecar_of(path)
        try:
            out.append((path, SourceStat.of(path, printable(path.relative_to(raw_dir).as_posix()), sidecar)))
        except OSError:
            continue  # vanished between listing and stat: it will be missed, like a file added a moment later
    return out


def sidecar_of(path: Path) -> Path | None:
    """The ``NAME.meta.json`` of a ``.txt``/``.html`` article (jsonl lines carry their own metadata)."""
    if path.suffix.lower() == ".jsonl":
        return None
    return path.with_name(_doc_id_for(path) + SIDECAR_SUFFIX)


def content_hash(path: Path, sidecar: Path | None, raw_dir: Path, follow_symlinks: bool = False) -> str:
    """sha256 of the source's bytes and its sidecar's, read as :func:`read_source` reads them.

    Raises :class:`BadInput` (or ``OSError``) for a source that is not a regular file inside
    ``raw_dir``: :func:`read_source` says why. A sidecar that cannot be read is hashed as its reason.
    """
    root = Path(raw_dir).resolve()
    digest = hashlib.sha256()
    with _open_source(path, root, follow_symlinks) as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if sidecar is not None and os.path.lexists(sidecar):
        try:
            digest.update(b"\0sidecar\0" + _read_limited(sidecar, root, follow_symlinks))
        except (BadInput, OSError) as exc:
            digest.update(b"\0sidecar unreadable\0" + str(exc).encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


def read_source(path: Path, raw_dir: Path, follow_symlinks: bool = False) -> tuple[list[Document], list[ErrorRow]]:
    """The documents of one source and its error rows; never raises for bad input.

    A source must resolve inside ``raw_dir`` (a symbolic link out of it is an error row) unless
    ``follow_symlinks``. Every string of an error row is :func:`printable`.
    """
    return joined(read_source_parts(path, raw_dir, follow_symlinks))


def joined(parts: Iterable[tuple[list[Document], list[ErrorRow]]]) -> tuple[list[Document], list[ErrorRow]]:
    """A source's parts as one: its documents, then its error rows, in reading order."""
    docs, errors = [], []
    for part_docs, part_errors in parts:
        docs.extend(part_docs)
        errors.extend(part_errors)
    return docs, errors


@dataclass(frozen=True)
class SourceJob:
    """One source to read on a Dask worker (:func:`read_on_worker`)."""

    path: Path
    raw_dir: Path
    follow_symlinks: bool = False
    kept_if: str | None = None  # the content hash of the rows the dataset holds: a source that still has it is not read


@dataclass
class SourceRead:
    """A source read whole elsewhere: its content hash (None: not a readable file, see
    :func:`content_hash`), its parts as :func:`read_source_parts` gave them, and whether it was
    read to its end."""

    sha256: str | None
    parts: list[tuple[list[Document], list[ErrorRow]]]
    complete: bool

    def iter_parts(self) -> Generator[tuple[list[Document], list[ErrorRow]], None, bool]:
        """The parts again, as :func:`read_source_parts` would yield and return them."""
        yield from self.parts
        return self.complete


def read_on_worker(job: SourceJob) -> SourceRead:
    """Hash and read one source where it runs (a Dask worker that sees ``raw_dir`` at the same path);
    a source whose hash is ``job.kept_if`` (touched, not changed) is hashed only."""
    try:
        sha = content_hash(job.path, sidecar_of(job.path), job.raw_dir, job.follow_symlinks)
    except (BadInput, OSError):
        sha = None
    if sha is not None and sha == job.kept_if:
        return SourceRead(sha, [], True)
    parts = []
    reading = read_source_parts(job.path, job.raw_dir, job.follow_symlinks)
    while True:
        try:
            parts.append(next(reading))
        except StopIteration as end:
            return SourceRead(sha, parts, end.value is not False)


def read_source_parts(path: Path, raw_dir: Path, follow_symlinks: bool = False,
                      part_docs: int | None = None) -> Generator[tuple[list[Document], list[ErrorRow]], None, bool]:
    """:func:`read_source` a part at a time: a jsonl of thousands of articles is handed on every
    ``part_docs`` documents, so extraction starts on its first lines while the rest is read (reading
    costs ~1 ms an article, mostly language identification), and memory holds a part, not the file.

    A source that fails part way (an I/O error) ends with its error row, after the documents read
    before it; the generator then returns False (True once the source is read to its end), so the
    caller can leave the source to be read again.
    """
    source_path = path.relative_to(raw_dir).as_posix()
    if _SURROGATE.search(source_path):
        yield [], [ErrorRow(printable(source_path), None, "ingest", "file name is not valid UTF-8; rename the file to read it")]
        return True
    root = Path(raw_dir).resolve()
    try:
        for docs, errors in _read_parts(path, source_path, root, follow_symlinks, part_docs or PART_DOCS):
            yield docs, [_printable_row(e) for e in errors]
        return True
    except BadInput as exc:
        yield [], [_printable_row(ErrorRow(source_path, _doc_id_for(path), "ingest", str(exc)))]
        return True  # a refusal: reading it again gives the same answer
    except OSError as exc:
        reason = f"cannot read file: {_os_reason(exc)}"
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError on absurdly nested JSON: one row, not a crash
        reason = f"unreadable: {type(exc).__name__}: {exc}"
    yield [], [_printable_row(ErrorRow(source_path, _doc_id_for(path), "ingest", reason))]
    return False


def read_sources(paths: list[Path], raw_dir: Path, follow_symlinks: bool = False) -> IngestResult:
    """Read every source; duplicate doc_ids keep the first source and report the others."""
    result = IngestResult()
    seen: dict[str, str] = {}
    for path in paths:
        docs, errors = read_source(path, raw_dir, follow_symlinks)
        result.errors.extend(errors)
        for doc in docs:
            if doc.doc_id in seen:
                result.errors.append(ErrorRow(
                    doc.source_path, doc.doc_id, "ingest",
                    f"duplicate doc_id {doc.doc_id!r}: already read from {seen[doc.doc_id]}; this copy is skipped",
                ))
                continue
            seen[doc.doc_id] = doc.source_path
            result.documents.append(doc)
    return result


# --- opening a source: inside raw/, a regular file, never blocking -------------------------------

_FILE_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _source_file(path: Path, root: Path, follow_symlinks: bool) -> Path:
    """The regular file that ``path`` is, or that its symbolic link points to inside ``root``.

    Raises :class:`BadInput` with the reason otherwise: a dangling link, a link loop, a link out
    of the input folder (unless ``follow_symlinks``), a directory, a pipe, a socket or a device.
    """
    info = os.lstat(path)
    target = path
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
        except FileNotFoundError:
            raise BadInput(f"dangling symbolic link: its target {os.readlink(path)!r} does not exist") from None
        except (RuntimeError, OSError) as exc:  # RuntimeError: Python < 3.13's "Symlink loop"
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
                raise BadInput("symbolic link loop: the link never reaches a file") from None
            raise
        if not follow_symlinks and not target.is_relative_to(root):
            raise BadInput(f"symbolic link to {str(target)!r}, outside the input folder: not read "
                           "(pass --follow-symlinks to read links out of it)")
        info = os.stat(target)
    elif not follow_symlinks and not path.resolve().is_relative_to(root):
        raise BadInput("resolves outside the input folder (a directory above it was replaced by a link): not read")
    if stat.S_ISDIR(info.st_mode):
        if target is not path:
            raise BadInput("symbolic link to a directory: not followed (pass --follow-symlinks to read its files)")
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            raise BadInput(f"cannot list directory: {_os_reason(exc)}") from None
        raise BadInput("a directory named like an article file, not a file (the files inside it are read as usual)")
    for is_kind, kind in _FILE_KINDS:
        if is_kind(info.st_mode):
            raise BadInput(f"not a regular file but {kind}: not read")
    return target


def _open_source(path: Path, root: Path, follow_symlinks: bool):
    """A binary file object on the checked source; ``O_NONBLOCK`` so that a file swapped for a pipe
    after the check cannot block the run, and ``O_NOFOLLOW`` so that it cannot become a link."""
    target = _source_file(path, root, follow_symlinks)
    fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadInput("not a regular file: not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _read_limited(path: Path, root: Path, follow_symlinks: bool) -> bytes:
    """The whole file, or :class:`BadInput` when it is larger than ``PIPELINE_MAX_FILE_BYTES``."""
    limit = settings.current().max_file_bytes
    with _open_source(path, root, follow_symlinks) as handle:
        size = os.fstat(handle.fileno()).st_size
        data = handle.read(limit + 1) if size <= limit else b""
    if size > limit or len(data) > limit:
        raise BadInput(f"file too large: {max(size, len(data)):,} bytes (limit {limit:,}); "
                       "split it or raise PIPELINE_MAX_FILE_BYTES")
    return data


def _os_reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _doc_id_for(path: Path) -> str:
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def _read_parts(path: Path, source_path: str, root: Path, follow_symlinks: bool,
                part_docs: int) -> Iterator[tuple[list[Document], list[ErrorRow]]]:
    suffix = path.suffix.lower()
    if suffix not in ARTICLE_SUFFIXES and not (path.is_dir() and not path.is_symlink()):
        _source_file(path, root, follow_symlinks)  # a pipe or a dangling link says so, whatever its name
        raise BadInput(f"unsupported file type {path.suffix or '(none)'!r}; expected one of {', '.join(ARTICLE_SUFFIXES)}")
    if suffix == ".jsonl":
        with _open_source(path, root, follow_symlinks) as handle:
            yield from _jsonl_parts(handle, source_path, part_docs)
        return
    yield _read_one(path, source_path, root, follow_symlinks, suffix)


def _read_one(path: Path, source_path: str, root: Path, follow_symlinks: bool,
              suffix: str) -> tuple[list[Document], list[ErrorRow]]:
    """A file that holds one article (text, HTML: ``suffix``, lowercase), with its sidecar."""
    data = _read_limited(path, root, follow_symlinks)
    text = decode(data)
    doc_id = _doc_id_for(path)
    errors: list[ErrorRow] = []
    meta = {}
    sidecar = sidecar_of(path)
    if os.path.lexists(sidecar):
        sidecar_path = str(Path(source_path).with_name(sidecar.name))
        try:
            meta = _read_sidecar(sidecar, root, follow_symlinks)
        except BadInput as exc:
            errors.append(ErrorRow(sidecar_path, doc_id, "ingest", f"sidecar ignored: {exc}"))
        except OSError as exc:
            errors.append(ErrorRow(sidecar_path, doc_id, "ingest", f"sidecar ignored: cannot read it: {_os_reason(exc)}"))
        meta = _checked_fields(meta, sidecar_path, doc_id, errors)
    meta["published"] = _published(meta.get("published"), source_path, doc_id, errors)
    title = meta.get("title")
    if suffix in (".html", ".htm"):
        text, html_title = html_to_text(text)
        title = title or html_title
    else:
        title = title or _first_line(text)
    doc = make_document(doc_id, source_path, text, title=title, **{k: meta.get(k) for k in META_FIELDS if k != "title"})
    return [doc], errors


def _jsonl_parts(handle, source_path: str, part_docs: int) -> Iterator[tuple[list[Document], list[ErrorRow]]]:
    """One document per line, ``part_docs`` at a time; whatever is wrong with a line costs that line
    only, with its number."""
    docs, errors = [], []
    yielded = False
    max_chars = settings.current().max_doc_chars
    try:
        for lineno, raw_line in enumerate(handle, start=1):
            if len(docs) >= part_docs:
                yield docs, errors
                docs, errors, yielded = [], [], True
            if not raw_line.strip():
                continue
            where = f"line {lineno}"
            doc_id = None
            try:
                record = json.loads(decode(raw_line))
                if not isinstance(record, dict):
                    raise BadInput(f"{where}: expected a JSON object, got {_json_type(record)}")
                doc_id = _checked_id(record.get("id"), where)
                text = record.get("text")
                if not isinstance(text, str):
                    raise BadInput(f"{where}: 'text' missing or not a string")
                if len(text) > max_chars:
                    raise BadInput(f"{where}: text too large: {len(text):,} characters (limit {max_chars:,})")
                text = _repaired(text, "'text'", where, source_path, doc_id, errors)
                meta = _checked_fields({k: record.get(k) for k in META_FIELDS}, source_path, doc_id, errors, where)
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
            except Exception as exc:  # noqa: BLE001 - an unforeseen fault in one line must not cost the others
                errors.append(ErrorRow(source_path, doc_id, "ingest", f"{where}: unreadable: {type(exc).__name__}: {exc}"))
    except OSError:  # the file failed part way: what was read before it is handed on first
        yield docs, errors
        raise
    if not docs and not errors and not yielded:
        errors.append(ErrorRow(source_path, None, "ingest", "empty file: no articles"))
    yield docs, errors


# --- fields: strings, and valid Unicode --------------------------------------------------------

# JSON's "\ud800" escapes give lone surrogates: Python strings that no UTF-8 writer accepts.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_type(value) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array",
             dict: "an object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _checked_id(value, where: str) -> str:
    """A jsonl ``id`` as written: a non-empty string of valid Unicode, never a coerced number or boolean
    (``123`` would silently collide with ``"123"``, ``true`` become ``"True"``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadInput(f"{where}: missing 'id'")
    if not isinstance(value, str):
        raise BadInput(f"{where}: 'id' must be a string, got {_json_type(value)} ({json.dumps(value)[:40]}); "
                       "document skipped")
    if bad := _SURROGATE.search(value):
        raise BadInput(f"{where}: 'id' is not valid Unicode (a lone surrogate \\u{ord(bad.group()):04x} at "
                       f"character {bad.start()}); document skipped")
    return value


def _checked_fields(meta: dict, source_path: str, doc_id: str | None, errors: list[ErrorRow], where: str = "") -> dict:
    """Metadata fields that are strings (lone surrogates repaired); any other type is ignored (as if
    absent: a missing title is the first line of the text), with a row."""
    out = {}
    for key, value in meta.items():
        if value is None or isinstance(value, str):
            out[key] = value if value is None else _repaired(value, repr(key), where, source_path, doc_id, errors)
            continue
        prefix = f"{where}: " if where else ""
        errors.append(ErrorRow(source_path, doc_id, "ingest",
                               f"{prefix}{key!r} must be a string, got {_json_type(value)}; ignored"))
        out[key] = None
    return out


def _repaired(value: str, name: str, where: str, source_path: str, doc_id: str | None, errors: list[ErrorRow]) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD (one character for one: offsets hold), and a row saying so."""
    bad = _SURROGATE.search(value)
    if bad is None:
        return value
    repaired, n = _SURROGATE.subn("\ufffd", value)
    prefix = f"{where}: " if where else ""
    errors.append(ErrorRow(source_path, doc_id, "ingest",
                           f"{prefix}{name} is not valid Unicode: {n} lone surrogate(s), the first (\\u{ord(bad.group()):04x}) "
                           f"at character {bad.start()}, replaced with U+FFFD; document kept"))
    return repaired


def printable(value: str) -> str:
    """``value`` with any lone surrogate written as an escape (``\\udc80``): safe in every table and message."""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def _printable_row(row: ErrorRow) -> ErrorRow:
    return ErrorRow(printable(row.source_path), printable(row.doc_id) if row.doc_id else row.doc_id,
                    row.stage, printable(row.reason))


def _read_sidecar(path: Path, root: Path, follow_symlinks: bool = False) -> dict:
    data = _read_limited(path, root, follow_symlinks)
    try:
        meta = json.loads(decode(data))
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


_IDENTIFIER_LOCK = threading.Lock()


def _language_identifier():
    """The language identifier, loaded once; the command line may start loading it on a thread
    (:func:`warm_language_identifier`), so the first caller waits for that load, not a second one."""
    with _IDENTIFIER_LOCK:
        return _load_language_identifier()


@lru_cache(maxsize=1)
def _load_language_identifier():
    from pipeline.languages import load_identifier

    return load_identifier()


def warm_language_identifier() -> threading.Thread:
    """Load the identifier on a thread, now: most of the load is decompression and NumPy, which
    release the GIL, so it overlaps the flow's start (Prefect's import) instead of following it."""
    thread = threading.Thread(target=_language_identifier, name="language-identifier", daemon=True)
    thread.start()
    return thread


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
