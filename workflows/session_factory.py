"""The one session factory: the sessions that keep the statistics feed current and write the
audit log all come from here.

Where the listeners live. The statistics feed's ``after_flush`` hook (``workflows.stats.feed``)
and the audit hooks (``workflows.audit``: reads, changes, append-only guard) are attached to the
``sessionmaker`` made here, not to SQLAlchemy's ``Session`` class. A listener on the class runs
for every session in the process, including a script's plain ``Session(engine)``, which then
changes the feed behind its author's back. Here only sessions made by this factory have them;
the web app, the CLI and the scheduler all get theirs from ``db.sessions`` (app/extensions.py),
the one factory the app makes with this function, and so do the tests and the benchmarks.

Where the pseudonym key comes from. The caller passes the secret of the client and household
keys (the app: ``STATS_PSEUDONYM_KEY`` from its configuration, which refuses to start without one
outside development and testing). It is put in the factory's ``info``, which SQLAlchemy copies
into every session's ``info``; the feed reads it from there (``feed.pseudonym_key``) and raises
``MissingPseudonymKey`` when it is absent. There is no process-wide key and no default: a
session made without this factory cannot write a feed row, let alone one under a development
key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from . import audit
from .stats import feed


def make_session_factory(
    bind: Engine | Connection | None, *, pseudonym_key: str, **options: Any
) -> sessionmaker[Session]:
    """A ``sessionmaker`` bound to ``bind`` (``options`` as for ``sessionmaker``) whose sessions
    keep the statistics feed and the audit log and carry ``pseudonym_key``. A session for
    another bind (a writer engine, a test's connection) comes from the same factory:
    ``factory(bind=...)``."""
    if not pseudonym_key:
        raise feed.MissingPseudonymKey("A session factory needs the statistics pseudonym key.")
    info = {**options.pop("info", {}), feed.PSEUDONYM_KEY_INFO: pseudonym_key}
    factory = sessionmaker(bind=bind, info=info, **options)
    # The feed first: the audit notes the flush after the feed has followed it (the order the
    # hooks had when they were installed on the class).
    feed.listen(factory)
    audit.listen(factory)
    return factory
