"""The language identifier (py3langid), memory-mapped from an uncompressed copy of its model.

py3langid ships its model LZMA-compressed; loading it decompresses ~75 MB and turns the state
machine's tables into Python arrays and lists: ~0.7 s and ~100 MB more at the peak of every run
that reads a new article (a run that adds one article to 10,000 peaked at 600 MB, a sixth of it
this load). The same arrays, written once per environment uncompressed beside it
(:mod:`pipeline.runtime.install_cache`), are mapped instead: the load takes milliseconds, and
memory holds only the pages a text touches (shared with every process of the machine that maps
them). The identifier is py3langid's own class over those arrays, so its answers are the same
(``tests/test_languages.py`` compares them with the library's loader).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import mmap
from pathlib import Path

import numpy as np

from pipeline.runtime.install_cache import CACHE_DIR, write_atomically

_ARRAYS = ("ptc", "pc", "nextmove", "nextmove_row", "out_feat")


def load_identifier():
    """py3langid's ``LanguageIdentifier`` (probabilities normalised), from the mapped copy when there is one."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    model_file = Path(MODEL_DIR) / MODEL_FILE  # as the library resolves it (an absolute MODEL_FILE stays)
    folder = CACHE_DIR / f"langid-{_model_key(model_file)}"
    try:
        if not (folder / "classes.json").exists():
            folder.mkdir(parents=True, exist_ok=True)  # an unwritable environment fails here, before any work
            _store(model_file, folder)
        return _mapped(folder, LanguageIdentifier)
    except (OSError, ValueError):  # no copy (an unwritable environment), or a damaged one
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _model_key(model_file: Path) -> str:
    digest = hashlib.sha256(f"py3langid=={importlib.metadata.version('py3langid')}\0".encode())
    digest.update(str(model_file.stat().st_size).encode())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:16]


def _store(model_file: Path, folder: Path) -> None:
    """The model's arrays as ``.npy`` files and its class names as JSON (each file written atomically;
    ``classes.json`` last, so its presence means the copy is whole)."""
    import lzma
    import shutil
    import tempfile

    with tempfile.TemporaryFile(suffix=".npz") as tmp:
        with lzma.open(model_file) as src:
            shutil.copyfileobj(src, tmp, length=1 << 20)
        tmp.seek(0)
        with np.load(tmp, allow_pickle=False) as data:
            for name in _ARRAYS:
                array = np.ascontiguousarray(data[name])
                if not write_atomically(folder / f"{name}.npy", lambda path: _save(path, array)):
                    return
            classes = data["classes"].tolist()
    write_atomically(folder / "classes.json", lambda path: path.write_text(json.dumps(classes), encoding="utf-8"))


def _save(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as f:  # a file object: given a path, np.save would add ".npy" to it
        np.save(f, array, allow_pickle=False)


def _mapped(folder: Path, identifier_class):
    def array(name: str) -> np.ndarray:
        return np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)

    # The state machine is walked byte by byte in Python: its tables are indexed one int at a time,
    # which a memoryview does at the speed of the library's array.array (a NumPy array would
    # make a NumPy scalar per byte).
    def table(name: str) -> memoryview:
        a = array(name)
        with open(folder / f"{name}.npy", "rb") as f:
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        return memoryview(mapped)[a.offset:a.offset + a.nbytes].cast(a.dtype.char)

    classes = json.loads((folder / "classes.json").read_text(encoding="utf-8"))
    return identifier_class(array("ptc"), array("pc"), classes, table("nextmove"), table("out_feat"),
                            norm_probs=True, tk_row=table("nextmove_row"))
