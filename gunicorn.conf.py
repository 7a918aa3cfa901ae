"""gunicorn settings for `gunicorn --config gunicorn.conf.py wsgi:app` (docs/operations.md).

Each value can be overridden on the command line or with GUNICORN_CMD_ARGS. The scheduler is a
separate process (`flask --app wsgi scheduler run`), never a gunicorn worker.
"""

import os

from gunicorn.glogging import Logger, SafeAtoms

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# About one worker per core, each with a few threads: a thread waiting for the database lets
# another render a page (bench/load.py: 2 workers x 4 threads served 2.8x the requests of 2
# sync workers). More threads than that only contend for the worker's interpreter lock: 3 gave
# the steadiest figures of 2, 3 and 4 (bench/README.md). Each worker keeps its own small pool of
# database connections.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "3"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# No keep-alive: each request comes on its own connection, which the worker that is free first
# accepts. With keep-alive a connection stays with the worker that accepted it, so a handful of
# busy connections could all land on one worker while the other idled (bench/load.py: half the
# throughput in some runs). Behind the reverse proxy (docs/operations.md) the clients' own
# keep-alive ends at the proxy, which by default opens a new connection per request anyway.
keepalive = 0
# Recycle workers now and then (bounded memory growth), staggered so they do not all restart.
# Not too often: a new worker renders its first pages slowly (templates to compile, SQL
# statements to cache), and at 5,000 requests each worker restarted every half minute under
# bench/load.py's load, costing a tenth of the throughput and the worst p99 figures.
max_requests = 100_000
max_requests_jitter = 10_000
# The access log records the path WITHOUT the query string (%(U)s, not %(r)s): a query string
# should never hold personal data here, and this makes sure the log does not keep it if one
# does. No cookies, no referrer.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a reverse proxy on the same machine: trust its X-Forwarded-* headers only from there
# (the app itself uses TRUSTED_PROXIES for the client address in the audit log).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 4094
limit_request_fields = 100


def _escaped(value: str) -> str:
    """``value`` with every character that is not printable written as its escape (``\\r``,
    ``\\x1b``, ``\\x85``) and the backslash doubled, so what the log shows is unambiguous."""
    return "".join(
        ch if ch.isprintable() and ch != "\\" else ch.encode("unicode_escape").decode("ascii")
        for ch in value
    )


class EscapedAtoms(SafeAtoms):
    """The access log's fields with control characters escaped. The path comes URL-decoded
    (``%0d%0a`` is a real line break by then), so without this a request for
    ``/x%0d%0a<an invented log line>`` would write that invented line into the log, and
    terminal escapes could hide or recolour lines for whoever reads it."""

    def __init__(self, atoms: dict[str, object]) -> None:
        super().__init__({k: _escaped(v) if isinstance(v, str) else v for k, v in atoms.items()})


class AccessLogger(Logger):
    """gunicorn's logger, writing each request as exactly one line (``EscapedAtoms``)."""

    atoms_wrapper_class = EscapedAtoms


logger_class = AccessLogger
