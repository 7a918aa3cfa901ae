"""Configuration from the environment, with safe local defaults.

``TRAJECTWIJZER_ENV``: ``production`` (default), ``development`` or ``testing``. Outside
development and testing a missing ``SECRET_KEY`` stops start-up with a clear message.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from workflows import clock
from workflows.berichten.settings import DEFAULT_MUNICIPALITY_CODE, is_municipality_code
from workflows.stats.anonymity import Disclosure

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


# The pseudonym key of development and testing only (``load_config`` refuses to start without
# STATS_PSEUDONYM_KEY anywhere else). It lives here, not in the feed: only the app's
# configuration may choose it, never a session that lacks a key.
DEV_PSEUDONYM_KEY = "trajectwijzer-development-pseudonym-key"  # noqa: S105 - a dev default


DEFAULT_MUNICIPALITY_NAME = "Gemeente Dronten"  # the demo municipality


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


def _int_from_env(name: str, default: int) -> int:
    return int(_number_from_env(name, default, whole=True))


def _float_from_env(name: str, default: float) -> float:
    return float(_number_from_env(name, default, whole=False))


def _number_from_env(name: str, default: float, *, whole: bool) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value) if whole else float(value)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{name} must be {kind}, not {value!r}") from None


def _bool_from_env(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


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
        # The secret of the keyed hash (HMAC-SHA256) that pseudonymises clients in the
        # statistics feed. Changing it splits every client's history: keep it for good.
        "STATS_PSEUDONYM_KEY": os.environ.get("STATS_PSEUDONYM_KEY"),
        # Statistics, disclosure control by the cell key method (docs/statistics.md): counts
        # 1…threshold−1 are never shown as themselves (published as 0 or ≥ threshold); every
        # other count gets noise of at most STATS_MAX_DEVIATION with variance STATS_VARIANCE.
        "STATS_SUPPRESSION_THRESHOLD": _int_from_env("STATS_SUPPRESSION_THRESHOLD", 5),
        "STATS_MAX_DEVIATION": _int_from_env("STATS_MAX_DEVIATION", 2),
        "STATS_VARIANCE": _float_from_env("STATS_VARIANCE", 1.0),
        # Herhaald beroep: an earlier episode that ended within this many years before.
        "STATS_REPEAT_YEARS": _int_from_env("STATS_REPEAT_YEARS", 5),
        "BABEL_DEFAULT_LOCALE": "nl",
        # One clock (workflows/clock.py): the municipality's time zone decides what "today" is
        # for every view, command and scheduled job, and how times are shown.
        "TIMEZONE": os.environ.get("TRAJECTWIJZER_TIMEZONE")
        or os.environ.get("SCHEDULER_TIMEZONE")
        or "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "PER_PAGE": int(os.environ.get("TRAJECTWIJZER_PER_PAGE", "25")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        # The cookie is rewritten only when the session changes (see app/auth/sessions.py).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int_from_env("SESSION_MAX_HOURS", 8)),
        "SESSION_IDLE_MINUTES": _int_from_env("SESSION_IDLE_MINUTES", 15),
        "SESSION_MAX_HOURS": _int_from_env("SESSION_MAX_HOURS", 8),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted (the
        # audit log records the client's address, not the proxy's).
        "TRUSTED_PROXIES": _int_from_env("TRUSTED_PROXIES", 0),
        # Retention after closure, in years, per domain (privacy purge).
        "RETENTION_YEARS_JEUGD": _int_from_env("RETENTION_YEARS_JEUGD", 20),
        "RETENTION_YEARS_WMO": _int_from_env("RETENTION_YEARS_WMO", 15),
        # Login attempts (with IP addresses) are kept this many days.
        "LOGIN_ATTEMPTS_RETENTION_DAYS": _int_from_env("LOGIN_ATTEMPTS_RETENTION_DAYS", 90),
        "WTF_CSRF_TIME_LIMIT": None,  # the session lifetime bounds the token
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # R11: what a trajectory closed early without its result may claim: "pro_rata" (the
        # share of the planned period that care was given, never above the price) or "niets".
        "CLAIM_POLICY": os.environ.get("CLAIM_POLICY", "pro_rata"),
        # The municipality that runs this installation: named on every PDF the app makes.
        "MUNICIPALITY_NAME": os.environ.get("MUNICIPALITY_NAME", "").strip()
        or DEFAULT_MUNICIPALITY_NAME,
        # iWmo/iJw messages (docs/berichten.md): the municipality's CBS code (four digits), the
        # Afzender of every message it sends; and the folder with the iStandaarden XSDs
        # (<dir>/jw/JW301.xsd, <dir>/wmo/WMO301.xsd...) to validate against, optional.
        "MUNICIPALITY_CODE": os.environ.get("MUNICIPALITY_CODE", "").strip()
        or DEFAULT_MUNICIPALITY_CODE,
        "ISTANDAARDEN_XSD_DIR": os.environ.get("ISTANDAARDEN_XSD_DIR", "").strip() or None,
        # Where links in e-mails point to.
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # E-mail notifications go through SMTP when MAIL_SERVER is set, else they are logged.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": _int_from_env("MAIL_PORT", 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool_from_env("MAIL_USE_TLS", False),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "trajectwijzer@localhost"),
        # The scheduler process (`flask scheduler run`): daily jobs at this local time (in
        # TIMEZONE).
        "SCHEDULER_HOUR": _int_from_env("SCHEDULER_HOUR", 6),
        "SCHEDULER_MINUTE": _int_from_env("SCHEDULER_MINUTE", 0),
        # A run that could not start on time (process suspended, machine asleep) still runs
        # within this many seconds; later runs are coalesced into one.
        "SCHEDULER_MISFIRE_GRACE_TIME": _int_from_env("SCHEDULER_MISFIRE_GRACE_TIME", 12 * 3600),
    }
    if overrides:
        config.update(overrides)
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, host-only and for
    # path / (no subdomain can set or read it); without Secure (local http) a plain name.
    config.setdefault(
        "SESSION_COOKIE_NAME",
        "__Host-trajectwijzer" if config["SESSION_COOKIE_SECURE"] else "trajectwijzer",
    )
    try:
        clock.zone(str(config["TIMEZONE"]))
    except clock.UnknownTimeZone as error:
        raise ConfigError(
            f"TRAJECTWIJZER_TIMEZONE {config['TIMEZONE']!r} is not a known time zone; use an "
            "IANA name such as Europe/Amsterdam."
        ) from error
    # Dates and times are shown in the same zone as the one clock counts days in.
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]
    config["SCHEDULER_TIMEZONE"] = config["TIMEZONE"]
    if not is_municipality_code(str(config["MUNICIPALITY_CODE"])):
        raise ConfigError(
            f"MUNICIPALITY_CODE must be the municipality's four-digit CBS code (Dronten: 0303), "
            f"not {config['MUNICIPALITY_CODE']!r}"
        )
    xsd_dir = config["ISTANDAARDEN_XSD_DIR"]
    if xsd_dir and not Path(str(xsd_dir)).is_dir():
        raise ConfigError(f"ISTANDAARDEN_XSD_DIR {xsd_dir!r} is not a folder")
    if config["CLAIM_POLICY"] not in {"pro_rata", "niets"}:
        raise ConfigError(f"CLAIM_POLICY must be pro_rata or niets, not {config['CLAIM_POLICY']!r}")
    if not config["SECRET_KEY"]:
        if config["ENV_NAME"] in {"development", "testing"}:
            config["SECRET_KEY"] = _dev_secret_key()
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set the environment variable SECRET_KEY to a long random "
                "value (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`), or set "
                "TRAJECTWIJZER_ENV=development for a local trial."
            )
    if not config["STATS_PSEUDONYM_KEY"]:
        if config["ENV_NAME"] in {"development", "testing"}:
            config["STATS_PSEUDONYM_KEY"] = DEV_PSEUDONYM_KEY
        else:
            raise ConfigError(
                "STATS_PSEUDONYM_KEY is not set. The statistics feed identifies clients by a keyed "
                "hash; set STATS_PSEUDONYM_KEY to a long random value and keep it for good (a "
                "new key splits every client's history), or set TRAJECTWIJZER_ENV=development "
                "for a local trial."
            )
    if int(config["STATS_SUPPRESSION_THRESHOLD"]) < 2:
        raise ConfigError("STATS_SUPPRESSION_THRESHOLD must be at least 2")
    if not 1 <= int(config["STATS_REPEAT_YEARS"]) <= 50:
        raise ConfigError("STATS_REPEAT_YEARS must be between 1 and 50")
    try:
        Disclosure(
            k=int(config["STATS_SUPPRESSION_THRESHOLD"]),
            max_deviation=int(config["STATS_MAX_DEVIATION"]),
            variance=float(config["STATS_VARIANCE"]),
        )
    except ValueError as error:
        raise ConfigError(f"STATS_MAX_DEVIATION and STATS_VARIANCE: {error}") from None
    url = str(config["DATABASE_URL"])
    if url.startswith("postgresql://"):
        config["DATABASE_URL"] = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return config
