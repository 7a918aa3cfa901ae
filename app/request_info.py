"""Facts about the current request that the security code records."""

from __future__ import annotations

from flask import request


def client_ip() -> str | None:
    """The client's address; behind ``TRUSTED_PROXIES`` reverse proxies, ProxyFix has already
    put the forwarded address here (app/security.py)."""
    return request.remote_addr
