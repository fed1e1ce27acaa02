"""What a document's extracted rows depend on, as one key: a re-run redoes a document only when it changes.

Extraction is a pure function of one document and of the code and model that extract it
(:mod:`pipeline.extract`), so its rows are reused while a key made of exactly those inputs holds:

- every input field of the document as ingest made it (``content_sha256`` for the text, and the
  metadata: ``published`` sets the reference date of relative dates, ``title`` and ``source_path``
  may be used by rules), so a changed file or sidecar is a different key;
- :func:`extraction_version`: the pipeline version, a fingerprint of the source of every
  ``pipeline`` module that extraction imports (and of the data files they may read), and the
  versions of the libraries they import and of the spaCy model, read from package metadata so
  that a run with nothing to do never loads the model.

The rows themselves live in the dataset's own tables (:mod:`pipeline.output.corpus`); the key of
each document is recomputed from its ``documents`` row (every input field is a column there).
"""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import sys
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from pipeline.runtime.install_cache import CACHE_DIR, write_atomically
from pipeline.schema import Document
from pipeline.settings import MODEL_NAME, PIPELINE_VERSION, RULES_DIR

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
    """Pipeline version + code fingerprint + library and model versions, e.g. ``0.1.0+3f2a...``.

    Computing it parses the extraction modules and maps imports to installed distributions (~0.5 s,
    more than a no-change run's own work), so it is kept in :data:`CACHE_FILE` under a key made of
    what it is computed from, as cheap stats: every file of the package and ``rules/`` (path, size,
    mtime, inode) and the names of the installed distributions' metadata directories (which carry
    their versions). Any change there recomputes it.
    """
    key = _inputs_key()
    cached = _read_cache()
    if cached.get("key") == key and cached.get("version"):
        return cached["version"]
    version = _compute_extraction_version()
    _write_cache({"key": key, "version": version})
    return version


# The cache lives with the environment whose libraries it describes (ignored when not writable).
CACHE_FILE = CACHE_DIR / "extraction_version.json"


def _inputs_key() -> str:
    digest = hashlib.sha256(PIPELINE_VERSION.encode() + b"\0" + sys.version.encode() + b"\0")
    for root in DATA_DIRS:
        for path in sorted(root.rglob("*")) if root.is_dir() else ():
            if path.suffix == ".py" or path.suffix in DATA_SUFFIXES:
                st = path.stat()
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\0".encode())
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry or ".") if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        digest.update(f"{entry}\0{names}\0".encode())
    return digest.hexdigest()


def _read_cache() -> dict:
    try:
        return json.loads(CACHE_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_cache(data: dict) -> None:
    write_atomically(CACHE_FILE, lambda tmp: tmp.write_text(json.dumps(data), encoding="utf-8"))


def _compute_extraction_version() -> str:
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
