"""Web hardening in one place: security headers with a strict Content-Security-Policy, no
caching of pages with personal data, refusal of form input no person types (control
characters, a million characters in one value), the 422 status of a refused form, and the
reverse-proxy set-up. Text that is merely too long for its field is the field's to refuse
(``app.formtools.Form``), so the person keeps what they typed.

The templates have no inline script or style (tests/app/test_security_headers.py checks every
page), so the policy allows only the application's own files.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from workflows.text import has_control_characters

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}
HSTS = "max-age=31536000; includeSubDomains"

# Text that is too long for its field is refused at the field, with everything typed kept
# (each text field has its own maximum, the evaluation summary 4,000 characters; a person may
# paste far more). Only a value no form could ever take — a million characters — is refused
# here, before any form sees it.
MAX_FIELD_CHARACTERS = 1_000_000


def check_form_input() -> tuple[str, int] | None:
    """Refuse (400) a form with NUL or other control characters or an absurdly long value:
    PostgreSQL would refuse a NUL anyway (as a 500), and no field needs either."""
    if request.method != "POST" or not request.form:
        return None
    for values in request.form.listvalues():
        for value in values:
            if len(value) > MAX_FIELD_CHARACTERS or has_control_characters(value):
                from .errors import render_error

                return render_error(
                    400,
                    _(
                        "Het formulier bevat tekens die niet zijn toegestaan of een te lange "
                        "tekst. Er is niets opgeslagen."
                    ),
                )
    return None


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static":
        # Pages and documents with personal data stay out of browser and proxy caches (and off
        # the back button after logging out).
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    if (
        request.method == "POST"
        and response.status_code == 200
        and g.get("form_rejected")
        and response.mimetype == "text/html"
    ):
        response.status_code = 422
    return response


def register(app: Flask) -> None:
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    app.before_request(check_form_input)
    app.after_request(add_headers)
