"""Postings read as a search needs them: a block's positions unpickled only when asked for.

Whoosh stores a word's postings in blocks of up to 128 documents, each block one pickle of
``(ids, weights, values)``; in a field that keeps positions (every text field of the index,
for phrases) the values are the positions, three quarters of a block's bytes and most of the
cost of unpickling it (protocol 2 rebuilds each posting's ``bytes`` by a function call).
Scoring a word needs its ids and weights only, and a question scores the blocks of a dozen
common words across the whole archive: at 194,000 articles reading positions nobody used was
a quarter of the search. :class:`LeafPostings` reads the ids and weights alone and the whole
block the first time positions are asked for (a phrase, a merge), whole blocks from then on.

The index's codec (``index.PostingsCodec``) opens every segment's postings this way. Whoosh's
internals used here are those of the whoosh-reloaded version ``pyproject.toml`` pins.
"""

from __future__ import annotations

import contextlib
import pickle
import zlib
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher

#: Where the third part of a block, the values, begins: protocol 2 writes each value (a
#: ``bytes``) as a call of ``_codecs.encode``, and the first of them names that function.
#: The ids and weights before it are opcodes with payloads of at most 8 bytes, none of them
#: a letter of this name, so these 16 bytes cannot occur among them.
VALUES_START = b"c_codecs\nencode\n"

#: The values part of a block read without it.
UNREAD = object()


class LeafPostings(W3LeafMatcher):  # type: ignore[misc]
    """A segment's postings of one word, whose blocks are read without their positions until
    positions are asked for (:meth:`value`, spans): from then on, whole."""

    _values_wanted = False

    def _read_data(self) -> None:
        if self._values_wanted:
            W3LeafMatcher._read_data(self)
        else:
            self._data = ids_and_weights(self)

    def _read_values(self) -> None:
        if self._data is None or self._data[2] is UNREAD:
            self._values_wanted = True
            W3LeafMatcher._read_data(self)
        W3LeafMatcher._read_values(self)


def ids_and_weights(leaf: W3LeafMatcher) -> tuple[Any, Any, Any]:
    """The ids and weights of the block ``leaf`` is on, as Whoosh stores them, and
    :data:`UNREAD` for its values. Only the opening of the block is decompressed, as far as
    the ids and weights can reach (at most 5 and 9 bytes a posting), and unpickled as a
    tuple whose values are None. A block in any other shape (a field without positions, an
    empty value) is read whole, as Whoosh reads it."""
    count = leaf._blocklength
    data = leaf._postfile.get(leaf._dataoffset, leaf._nextoffset - leaf._dataoffset)
    reach = 14 * count + 32 + len(VALUES_START)
    head = zlib.decompressobj().decompress(data, reach) if leaf._compression else data[:reach]
    cut = head.find(VALUES_START)
    mark = count > 3  # a tuple of more than three items opens with a MARK
    if cut > 0 and (not mark or head[cut - 1:cut] == b"("):
        with contextlib.suppress(pickle.UnpicklingError, ValueError, TypeError, EOFError):
            ids, weights, values = pickle.loads(head[:cut - mark] + b"N\x87.")
            if values is None and isinstance(ids, tuple) and len(ids) == count:
                return ids, weights, UNREAD
    W3LeafMatcher._read_data(leaf)
    return leaf._data
