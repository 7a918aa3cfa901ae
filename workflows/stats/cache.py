"""The figure cache: answers computed from the feed rows, kept in this process while the feed
has not changed.

A figure that no kept aggregate answers (a filter combination, or the client unit after filters,
whose episodes are formed from the filtered rows) reads the feed itself: hundreds of
milliseconds at a million rows. Managers ask the same few queries again and again (a page, its
downloads, a colleague), and the feed changes only when a trajectory does, so ``figures`` puts
those answers here, keyed by the database, the feed's version, the figure and the whole query
(period, cut-off, domain, unit, basis, filters), and takes them from here while the version is
the same.

**The version** (``feed.feed_version``) is the state of the feed's change log: every flush that
changes the feed inserts a row (``feed.refresh``, from the flush hook, so the history import and
every workflow too), every ``rebuild`` one, and the daily compaction one; ``detach`` changes no
figure and inserts none. Each writer inserts its own row, so writers never queue behind one
counter row; a transaction that commits after a later one still changes the row count. See
``feed.feed_version`` for why no two states of the feed share a version.

**Consistency.** The version is read *before* the figure is computed: the answer is then at least
as new as its version (a change that commits in between is in the answer, and changes the version
for everyone after it), never older. A transaction that changed the feed and has not committed
sees its own log row, with a random token nobody else will see unless it commits unchanged; so
an answer it computes from its own uncommitted rows can never reach another transaction.

**Bounds.** At most ``SIZE`` answers (least recently used go first); an answer is small (monthly
counts, grouped durations, a few totals), never rows or episodes. An entry whose version is no
longer current is never asked for again and ages out. Every worker process has its own cache.
Callers must not change what they get back: the same object goes to the next caller.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from .feed import feed_version
from .selection import StatsQuery

SIZE = 256
T = TypeVar("T")

_enabled: ContextVar[bool] = ContextVar("figure_cache_enabled", default=True)


class FigureCache:
    """A bounded, thread-safe least-recently-used map (gunicorn runs threads)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, Any]:
        with self._lock:
            if key not in self._entries:
                return False, None
            self._entries.move_to_end(key)
            return True, self._entries[key]

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


FIGURES = FigureCache(SIZE)


def query_key(query: StatsQuery) -> tuple[Hashable, ...]:
    """Everything in the query that can change an answer."""
    return (
        query.start,
        query.end,
        query.cutoff,
        query.domain.value if query.domain else None,
        query.unit,
        query.basis,
        tuple(sorted((name, value) for name, value in query.filters.items() if value)),
    )


def cached(
    session: Session,
    figure: str,
    query: StatsQuery,
    compute: Callable[[], T],
    *extra: Hashable,
) -> T:
    """``compute()``'s answer for ``figure`` and ``query`` (and ``extra``, what else it
    depends on), from the cache while the feed's version is the same."""
    if not _enabled.get():
        return compute()
    connection = session.connection()
    key = (
        str(connection.engine.url),
        feed_version(connection),
        figure,
        query_key(query),
        extra,
    )
    found, value = FIGURES.get(key)
    if found:
        return value  # type: ignore[no-any-return]
    value = compute()
    FIGURES.put(key, value)
    return value


@contextmanager
def disabled() -> Iterator[None]:
    """Compute every figure afresh in this block (in this thread or task only): for checks
    that cached answers equal fresh ones, and for measuring."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)
