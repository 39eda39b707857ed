"""Results of stored projects, kept per process and keyed by everything they depend on.

The results page, the project page, the territory dashboard, the strategy and the yearly report
all compute the same projects again and again, and a project changes far less often than it is
read. A result is a pure function of the project document, the organisation's overrides, the
factor set asked for, the draws and the seed (factor sets are never edited in place, and the
engine version is fixed for the life of a process), so those are the key: any edit of a line,
a cost or an override makes a new key, and an old entry simply ages out. Entries are stored
pickled, so every caller gets its own copy to change at will (about 0.5 ms, against 20–100 ms
to compute). `POST /api/calc` does not come here: it computes what it is sent.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

MAX_ENTRIES = 128

_entries: OrderedDict[bytes, bytes] = OrderedDict()
_lock = threading.Lock()


def cached_result(
    key_parts: tuple[Any, ...], compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """`compute()`'s result, or a copy of the one already computed for `key_parts`.

    An error raised by `compute` is not cached."""
    key = hashlib.sha256(pickle.dumps(key_parts, protocol=pickle.HIGHEST_PROTOCOL)).digest()
    with _lock:
        stored = _entries.get(key)
        if stored is not None:
            _entries.move_to_end(key)
    if stored is not None:
        return pickle.loads(stored)  # type: ignore[no-any-return]
    result = compute()
    stored = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    with _lock:
        _entries[key] = stored
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return result


def clear() -> None:
    with _lock:
        _entries.clear()
