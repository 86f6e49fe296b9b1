"""The embedding model: wordllama's token vectors and tokenizer, read by explicit path from
the installed package's files.

wordllama's own loader is not used: it looks for the tokenizer in a folder the wheel does not
have (``tokenizer/`` where the wheel ships ``tokenizers/``), then downloads it. Here the two
files are found beside the package (located without importing it) and read with the
``tokenizers`` library and numpy alone, so loading never touches the network
(tests/test_semantic.py::test_the_model_loads_with_the_network_cut_off).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import struct
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ArchiveError

#: The files of the model inside the ``wordllama`` package.
WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
#: An article is read up to this many characters and tokens: its lead tells what it is about,
#: and the cost of one article stays bounded whatever its length.
MAX_CHARS = 8000
MAX_TOKENS = 1024
#: The model's name, as the vector files record it (vectors of another model are recomputed),
#: and the size of its vectors.
NAME = "wordllama-l2_supercat-256"
DIMS = 256


class ModelMissing(ArchiveError):
    """The extra is installed but its model files are not where the wheel puts them."""


def package_dir() -> Path:
    """The folder of the installed ``wordllama`` package, found without importing it (its
    ``__init__`` imports requests and pydantic, which the model does not need)."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the wordllama package is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class Model:
    """Text to unit vectors: the mean of the text's token vectors, normalised."""

    def __init__(self, folder: Path) -> None:
        from tokenizers import Tokenizer

        weights, tokenizer = folder / WEIGHTS, folder / TOKENIZER
        for path in (weights, tokenizer):
            if not path.is_file():
                raise ModelMissing(f"{path} is missing (reinstall archive-search[semantic])")
        self.table = _safetensor(weights, TENSOR)
        self.tokenizer: Any = Tokenizer.from_file(str(tokenizer))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.dims = int(self.table.shape[1])
        self.name = NAME

    def embed(self, texts: list[str]) -> np.ndarray:
        """One unit vector (float32) per text; a text without a token gets zeros."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(
            [t[:MAX_CHARS] for t in texts], add_special_tokens=False
        )
        last = self.table.shape[0] - 1
        for row, enc in enumerate(encoded):
            ids = np.asarray(enc.ids[:MAX_TOKENS], dtype=np.int64)
            if ids.size:
                np.clip(ids, 0, last, out=ids)
                out[row] = self.table[ids].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out


@functools.cache
def load() -> Model:
    """The model, loaded once per process from the installed package's files."""
    return Model(package_dir())


def _safetensor(path: Path, name: str) -> np.ndarray:
    """The tensor ``name`` of a safetensors file, memory-mapped (the format is an 8-byte
    header length, a JSON header, then the raw little-endian data)."""
    dtypes = {"F16": np.float16, "F32": np.float32}
    with open(path, "rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
    entry = header.get(name)
    if not isinstance(entry, dict) or entry.get("dtype") not in dtypes:
        raise ModelMissing(f"{path} holds no {name} tensor this reader understands")
    start, end = entry["data_offsets"]
    dtype = np.dtype(dtypes[entry["dtype"]]).newbyteorder("<")
    table = np.memmap(path, dtype=dtype, mode="r", offset=8 + size + start,
                      shape=tuple(entry["shape"]))
    if table.nbytes != end - start:
        raise ModelMissing(f"{path}: the {name} tensor's size does not match its shape")
    return table
