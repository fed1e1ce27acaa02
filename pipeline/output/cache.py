"""Per-document extraction results kept between runs, so a re-run only does the new work.

Extraction is a pure function of one document and of the code and model that extract it
(:mod:`pipeline.extract`), so its result is stored under a key made of exactly those inputs:

- every input field of the document as ingest made it (``content_sha256`` for the text, and the
  metadata: ``published`` sets the reference date of relative dates, ``title`` and ``source_path``
  may be used by rules), so a changed file or sidecar is a different key;
- :func:`extraction_version`: the pipeline version, a fingerprint of the source of every
  ``pipeline`` module that extraction imports (and of the data files they may read), and the
  versions of the libraries they import and of the spaCy model, read from package metadata so
  that a run with nothing to do never loads the model.

The store is one pickle per document under ``processed/.cache/extract/`` (sharded by key prefix):
writes cost O(new documents), reads are plain files, and it travels with the outputs it describes.
A run keeps what it used and drops the rest (:meth:`ExtractionCache.prune`), so deleted and changed
documents do not accumulate. Any unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import pickle
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pipeline.extract import ExtractedDocument
from pipeline.refusals import output_failed
from pipeline.schema import Document
from pipeline.settings import MODEL_NAME, PIPELINE_VERSION, RULES_DIR

CACHE_DIR = Path(".cache") / "extract"
PACKAGE_DIR = Path(__file__).resolve().parents[1]  # pipeline/
# Data files read at run time by rules (patterns, word lists, lookup tables) count as code: every
# file in rules/, and any data file inside the package.
DATA_DIRS = (PACKAGE_DIR, RULES_DIR)
DATA_SUFFIXES = {".json", ".jsonl", ".txt", ".csv", ".tsv", ".yml", ".yaml", ".toml", ".pkl"}
# The modules whose code decides a document's rows; everything they import inside the package
# is added by :func:`extraction_modules`.
ROOT_MODULES = ("pipeline.extract",)
# Document fields written by the run, not read from the source: not part of the key.
RUN_FIELDS = {"text", "dct", "dct_source", "pipeline_version", "extracted_at"}


def document_key(doc: Document, version: str | None = None) -> str:
    fields = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc) if f.name not in RUN_FIELDS}
    payload = json.dumps([version or extraction_version(), fields], sort_keys=True, default=_json_value)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _json_value(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)


@lru_cache(maxsize=1)
def extraction_version() -> str:
    """Pipeline version + code fingerprint + library and model versions, e.g. ``0.1.0+3f2a...``."""
    modules = extraction_modules()
    digest = hashlib.sha256()
    for name in sorted(modules):
        digest.update(name.encode() + b"\0" + _module_path(name).read_bytes() + b"\0")
    for root, path in _data_files():
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for dist, version in library_versions(modules).items():
        digest.update(f"{dist}=={version}\0".encode())
    return f"{PIPELINE_VERSION}+{digest.hexdigest()[:16]}"


def extraction_modules(roots: Iterable[str] = ROOT_MODULES) -> set[str]:
    """``pipeline`` modules reachable by imports from ``roots`` (static: the model is not loaded)."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen or not _module_path(name).exists():
            continue
        seen.add(name)
        todo.extend(m for m in _imports(name) if m.startswith("pipeline"))
    return seen


def library_versions(modules: Iterable[str]) -> dict[str, str]:
    """Installed versions of the distributions that ``modules`` import, plus the spaCy model's."""
    owners = importlib.metadata.packages_distributions()
    dists = {MODEL_NAME}
    for name in modules:
        for imported in _imports(name):
            dists.update(owners.get(imported.split(".")[0], ()))
    versions = {}
    for dist in sorted(dists):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "missing"
    return versions


def _module_path(name: str) -> Path:
    parts = name.split(".")[1:]
    package = PACKAGE_DIR.joinpath(*parts)
    return package / "__init__.py" if package.is_dir() else package.with_suffix(".py")


@lru_cache(maxsize=None)
def _imports(name: str) -> tuple[str, ...]:
    """Absolute names imported anywhere in module ``name`` (function-level imports included)."""
    path = _module_path(name)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_bytes(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append(base)
            # `from pipeline import money` imports the module pipeline.money
            found.extend(f"{base}.{alias.name}" for alias in node.names)
    return tuple(found)


def _data_files() -> list[tuple[Path, Path]]:
    """(root, file) for every data file; paths are hashed relative to their root, so a moved checkout keeps its cache."""
    files = []
    for root in DATA_DIRS:
        if root.is_dir():
            files.extend((root, p) for p in root.rglob("*") if p.is_file() and p.suffix in DATA_SUFFIXES)
    return sorted(files)


def _remove_if_empty(directory: Path) -> None:
    try:
        directory.rmdir()  # refused unless empty
    except OSError:
        pass


class ExtractionCache:
    """Pickled :class:`ExtractedDocument` per key under ``root``; only the run holding the lock writes."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pkl"

    def get(self, key: str) -> ExtractedDocument | None:
        try:
            with self.path(key).open("rb") as handle:
                entry = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # truncated, from another code version, ...: recompute it
            return None
        return entry if isinstance(entry, ExtractedDocument) else None

    def get_many(self, keys: Iterable[str]) -> dict[str, ExtractedDocument]:
        found = {}
        for key in keys:
            entry = self.get(key)
            if entry is not None:
                found[key] = entry
        return found

    def put(self, key: str, entry: ExtractedDocument) -> None:
        """Atomic: a reader (or a run after a crash) sees the whole entry or none.

        A failure to write (a full disk, ...) raises :class:`~pipeline.refusals.OutputFailed`
        and leaves no partial file.
        """
        path = self.path(key)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            _remove_if_empty(path.parent)
            if isinstance(exc, OSError):
                raise output_failed(exc, f"write the extraction cache in {self.root}", self.root) from None
            raise

    def discard(self, keys: Iterable[str]) -> None:
        """Remove these entries (those a failed run wrote: it must not leave the disk fuller)."""
        for key in keys:
            try:
                self.path(key).unlink(missing_ok=True)
            except OSError:
                pass
            _remove_if_empty(self.path(key).parent)

    def prune(self, keep: set[str]) -> int:
        """Remove every entry not in ``keep`` (and temp files of killed runs); returns how many went."""
        removed = 0
        if not self.root.is_dir():
            return 0
        for path in self.root.glob("*/*"):
            if path.stem not in keep or path.name.startswith(".tmp-"):
                try:
                    path.unlink(missing_ok=True)
                except OSError:
                    continue  # tidying only: the next run tries again
                removed += 1
        return removed
