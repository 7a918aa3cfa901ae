"""The beheerder's change log (``models.ConfigChange``, the *Wijzigingen* page): the one place
where a change to the configuration is written down.

A workflow that changes configuration calls ``assign`` (set fields, log what differs) or
``record`` (log a change it made itself, such as a creation or an ending) in the same
transaction as the change, so a change that is rolled back leaves no entry and a committed one
always has one. Values are written as a Dutch reader sees them: dates as dd-mm-jjjj, amounts
with a decimal comma, yes/no as ja/nee, enumerations by their code."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ConfigChange, User

from .errors import N_
from .paging import Page, paginate_objects

CREATED = "aangemaakt"
CHANGED = "gewijzigd"
ENDED = "beeindigd"
DELETED = "verwijderd"
MERGED = "samengevoegd"  # an imported provider or profile merged into another

# Never written to the log, whatever a caller passes.
SECRET_FIELDS = frozenset({"password_hash", "totp_secret", "recovery_codes", "token_hash"})

# How the *Wijzigingen* page names the kinds of object, the actions and the fields (Dutch
# message ids, translated when shown). One table for every workflow that logs: a field that is
# not here is shown by its own name (``field_label``).
OBJECT_LABELS: dict[str, str] = {
    "gebruiker": N_("Gebruiker"),
    "aanbieder": N_("Aanbieder"),
    "contract": N_("Contract"),
    "categorie": N_("Productcategorie"),
    "profiel": N_("Ondersteuningsprofiel"),
    "tarief": N_("Tarief"),
    "wijk": N_("Wijk of kern"),
    "bevolking": N_("Bevolkingscijfers"),
    "begroting": N_("Begroting"),
    "raadsrapportage": N_("Toelichting raadsrapportage"),
}
ACTION_LABELS: dict[str, str] = {
    CREATED: N_("aangemaakt"),
    CHANGED: N_("gewijzigd"),
    ENDED: N_("beëindigd"),
    DELETED: N_("verwijderd"),
    "geblokkeerd": N_("geblokkeerd"),
    "gedeblokkeerd": N_("gedeblokkeerd"),
    "tweede_factor_gewist": N_("tweede factor gewist"),
    "uitgenodigd": N_("uitnodiging verstuurd"),
    "wachtwoord_ingesteld": N_("wachtwoord ingesteld via uitnodiging"),
    MERGED: N_("samengevoegd"),
    "token_uitgegeven": N_("token uitgegeven"),
    "token_ingetrokken": N_("token ingetrokken"),
}
FIELD_LABELS: dict[str, str] = {
    # users
    "email": N_("E-mailadres"),
    "name": N_("Naam"),
    "role": N_("Rol"),
    "provider": N_("Aanbieder"),
    "active": N_("Actief"),
    "expires_at": N_("Geldig tot"),
    # providers, contracts, catalogue, tariffs
    "agb_code": N_("AGB-code"),
    "code": N_("Code"),
    "domain": N_("Domein"),
    "category_code": N_("Productcategorie"),
    "product_code": N_("Productcode"),
    "profile": N_("Profiel"),
    "intensity": N_("Intensiteit"),
    "allowed_intensities": N_("Toegestane intensiteiten"),
    "intensities": N_("Toegestane intensiteiten"),
    "need_type_default": N_("Standaard soort behoefte"),
    "imported": N_("Uit een import"),
    "samengevoegd_uit": N_("Samengevoegd uit"),
    "trajecten": N_("Verplaatste trajecten"),
    "valid_from": N_("Geldig vanaf"),
    "valid_to": N_("Geldig tot en met"),
    "price": N_("Trajectprijs"),
    "standard_duration_weeks": N_("Standaardduur (weken)"),
    "evaluation_interval_months": N_("Evaluatie-interval (maanden)"),
    "description": N_("Omschrijving"),
    "berichtentoken": N_("Token berichtenverkeer"),
    "channel": N_("Kanaal"),
    # population figures
    "inhabitants": N_("Inwoners"),
    "households": N_("Huishoudens"),
    # budgets
    "amount": N_("Bedrag"),
    # the council report's commentary
    "text": N_("Toelichting"),
}


def field_label(field: str | None) -> str | None:
    """The Dutch message id for a logged field, or the field's own name when it has none."""
    if field is None:
        return None
    return FIELD_LABELS.get(field, field)


def shown(value: Any) -> str | None:
    """``value`` as the log writes it (None stays None: "empty")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(sorted(shown(v) or "" for v in value))
    return str(value)


def record(
    session: Session,
    actor: User | None,
    object_type: str,
    object_id: int | None,
    label: str,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """Log one change of one object: a row per changed field (old → new), or one row without a
    field when ``changes`` is empty (an ending, a block). Fields whose shown values are equal
    are left out; secret fields are never written."""
    batch = secrets.token_hex(8)
    rows: list[tuple[str | None, str | None, str | None]] = [
        (name, shown(old), shown(new))
        for name, (old, new) in (changes or {}).items()
        if name not in SECRET_FIELDS and shown(old) != shown(new)
    ]
    if changes and not rows:
        return
    for name, old, new in rows or [(None, None, None)]:
        session.add(
            ConfigChange(
                user_id=actor.id if actor is not None else None,
                batch=batch,
                object_type=object_type,
                object_id=object_id,
                object_label=label[:200],
                action=action,
                field=name,
                old=old,
                new=new,
            )
        )
    session.flush()


def assign(
    session: Session,
    actor: User | None,
    obj: Any,
    object_type: str,
    label: str,
    values: Mapping[str, Any],
) -> dict[str, tuple[Any, Any]]:
    """Set ``values`` on ``obj`` and log those that differ as one change (``CHANGED``).
    Returns the changes, field → (old, new)."""
    changes = {
        name: (getattr(obj, name), value)
        for name, value in values.items()
        if shown(getattr(obj, name)) != shown(value)
    }
    for name, (_old, new) in changes.items():
        setattr(obj, name, new)
    session.flush()
    if changes:
        record(session, actor, object_type, getattr(obj, "id", None), label, CHANGED, changes)
    return changes


def listing(
    session: Session,
    object_type: str | None = None,
    *,
    page: int = 1,
    per_page: int = 50,
) -> Page[ConfigChange]:
    """The log, newest first, optionally of one kind of object, one page at a time."""
    stmt = select(ConfigChange)
    if object_type:
        stmt = stmt.where(ConfigChange.object_type == object_type)
    return paginate_objects(
        session,
        stmt.order_by(ConfigChange.at.desc(), ConfigChange.id.desc()),
        page=page,
        per_page=per_page,
    )


def kinds(session: Session) -> list[str]:
    """The kinds of object the log holds, for the page's filter."""
    return sorted(session.scalars(select(ConfigChange.object_type).distinct()))


def actor_names(session: Session, changes: Sequence[ConfigChange]) -> dict[int, str]:
    """The names of who made these changes, by user id."""
    ids = {c.user_id for c in changes if c.user_id is not None}
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in rows}
