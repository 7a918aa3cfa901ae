"""Configuration from the environment, with safe local defaults.

``TRAJECTWIJZER_ENV``: ``production`` (default), ``development`` or ``testing``. Outside
development and testing a missing ``SECRET_KEY`` stops start-up with a clear message.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


class ConfigError(RuntimeError):
    pass


def _dev_secret_key() -> str:
    """A random key kept in instance/ so development sessions survive a restart."""
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    env = os.environ.get("TRAJECTWIJZER_ENV", "production")
    if env not in {"production", "development", "testing"}:
        raise ConfigError(
            f"TRAJECTWIJZER_ENV must be production, development or testing, not {env!r}"
        )
    config: dict[str, Any] = {
        "ENV_NAME": env,
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE / 'trajectwijzer.sqlite3'}"
        ),
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "PER_PAGE": int(os.environ.get("TRAJECTWIJZER_PER_PAGE", "25")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "WTF_CSRF_TIME_LIMIT": None,  # the session lifetime bounds the token
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
    if overrides:
        config.update(overrides)
    if not config["SECRET_KEY"]:
        if config["ENV_NAME"] in {"development", "testing"}:
            config["SECRET_KEY"] = _dev_secret_key()
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set the environment variable SECRET_KEY to a long random "
                "value (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), or set "
                "TRAJECTWIJZER_ENV=development for a local trial."
            )
    url = str(config["DATABASE_URL"])
    if url.startswith("postgresql://"):
        config["DATABASE_URL"] = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return config
