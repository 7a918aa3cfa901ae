"""Flask application factory. The scheduler is never started here (see docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from workflows.errors import N_

from .config import INSTANCE, ROOT, load_config
from .extensions import babel, csrf, db, login_manager


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(INSTANCE),
    )
    app.config.update(load_config(config))
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_commands(app)
    register_error_handlers(app)
    register_template_helpers(app)
    return app


def _select_locale() -> str:
    if not has_request_context():  # the CLI: Dutch
        return "nl"
    lang = session.get("lang")
    return lang if lang in ("nl", "en") else "nl"


def register_extensions(app: Flask) -> None:
    from .auth import sessions

    # The session factory carries the statistics feed, the audit hooks and the pseudonym key
    # (app/extensions.py, workflows/session_factory.py).
    db.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Log in om verder te gaan.")
    login_manager.localize_callback = gettext
    login_manager.login_message_category = "info"

    # The session cookie names a server-side session record (app/auth/sessions.py).
    login_manager.user_loader(sessions.load_user)


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a number too large to be an id does not match (404, not 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        from .formtools import MAX_ID

        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    from .aanbieder import bp as aanbieder_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .beheer import bp as beheer_bp
    from .berichten_api import bp as berichten_api_bp
    from .gids import bp as gids_bp
    from .manager import bp as manager_bp

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(auth_bp)
    app.register_blueprint(gids_bp, url_prefix="/gids")
    app.register_blueprint(aanbieder_bp, url_prefix="/aanbieder")
    app.register_blueprint(manager_bp, url_prefix="/manager")
    app.register_blueprint(beheer_bp, url_prefix="/beheer")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(berichten_api_bp, url_prefix="/api/berichten/v1")

    @app.get("/")
    def index() -> Response:
        from .auth.access import home_endpoint

        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return redirect(url_for(home_endpoint(current_user)))

    @app.get("/taal/<lang>")
    def set_language(lang: str) -> Response:
        if lang in ("nl", "en"):
            session["lang"] = lang
        from .auth.views import safe_next

        return redirect(safe_next(request.args.get("next")) or url_for("index"))


def register_security(app: Flask) -> None:
    """Order matters: the access table decides first, then the audit context is set for the
    requests that got through; headers are added to every response."""
    from . import auditing, health, security
    from .auth import access

    health.register(app)
    security.register(app)
    access.register(app)
    auditing.register(app)


def register_commands(app: Flask) -> None:
    from .cli import (
        berichten_cli,
        db_cli,
        export_cli,
        import_cli,
        privacy_cli,
        scheduler_cli,
        seed_cli,
        stats_cli,
        users_cli,
        wijken_cli,
    )

    for group in (
        db_cli,
        seed_cli,
        users_cli,
        wijken_cli,
        scheduler_cli,
        stats_cli,
        privacy_cli,
    ):
        app.cli.add_command(group)
    for group in (import_cli, export_cli, berichten_cli):
        app.cli.add_command(group)


def register_error_handlers(app: Flask) -> None:
    from .errors import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from . import care_labels, filters, inbox, message_exchange, timeline

    filters.register(app)
    message_exchange.register(app)
    care_labels.register(app)
    inbox.register(app)
    timeline.register(app)
