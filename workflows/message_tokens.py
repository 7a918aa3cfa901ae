"""Bearer tokens for a provider's message gateway: the HTTP side of the iWmo/iJw exchange.

A beheerder issues a token on the provider's page; the provider's client system (or the relay
it uses) sends it with every request. A token belongs to one provider and opens that provider's
mailbox only. Like the statistics tokens (``workflows.stats.admin``) only the SHA-256 is stored
and the token is shown once; unlike them, issuing and revoking are configuration and go on the
*Wijzigingen* page (``config_log``), because a token lets personal data in and out."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import MessageToken, Provider, User

from . import config_log
from .clock import as_utc
from .errors import N_, DomainError, NotFound, Problem
from .guards import require_beheerder
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

TOKEN_PREFIX = "twb_"  # tells a gateway token from a statistics token (``tw_``) at a glance
MAX_TOKEN_LENGTH = 100
LAST_USED_PRECISION = timedelta(minutes=5)  # last_used_at is written at most this often
ISSUED = "token_uitgegeven"  # the change log's actions (``config_log.ACTION_LABELS``)
REVOKED = "token_ingetrokken"
FIELD = "berichtentoken"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_of(session: Session, provider_id: int) -> Sequence[MessageToken]:
    """The provider's tokens, valid ones first, newest first."""
    return session.scalars(
        select(MessageToken)
        .where(MessageToken.provider_id == provider_id)
        .order_by(
            MessageToken.revoked_at.is_not(None), MessageToken.created_at.desc(), MessageToken.id
        )
    ).all()


def issue(
    session: Session, actor: User, provider: Provider, *, name: str
) -> tuple[MessageToken, str]:
    """A new token for ``provider``'s gateway. The token itself is returned once, to show once;
    only its SHA-256 is stored. Logged on the Wijzigingen page (name and first characters)."""
    require_beheerder(actor)
    label = (clean_text(name) or "")[:80]
    if not label:
        raise DomainError.from_problems(
            [Problem(N_("Geef het token een naam, bijvoorbeeld het cliëntsysteem."), "name")]
        )
    if session.scalar(
        select(MessageToken.id).where(
            MessageToken.provider_id == provider.id,
            MessageToken.name == label,
            MessageToken.revoked_at.is_(None),
        )
    ):
        raise DomainError.from_problems([duplicate("uq_message_tokens_open_name")])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = MessageToken(
        provider_id=provider.id,
        name=label,
        prefix=token[:10],
        token_hash=token_hash(token),
        created_by_id=actor.id,
    )
    with refusing_duplicates(session):  # a double submit would leave a token nobody saw
        session.add(row)
    config_log.record(
        session, actor, "aanbieder", provider.id, provider.name, ISSUED,
        {FIELD: (None, f"{label} ({row.prefix}…)")},
    )  # fmt: skip
    return row, token


def revoke(
    session: Session, actor: User, provider: Provider, token_id: int, now: datetime
) -> MessageToken:
    """Revoke one of ``provider``'s tokens (another provider's token id: not found). Revoking
    twice changes nothing and logs nothing."""
    require_beheerder(actor)
    row = session.get(MessageToken, token_id)
    if row is None or row.provider_id != provider.id:
        raise NotFound(N_("Dit token bestaat niet."))
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
        config_log.record(
            session, actor, "aanbieder", provider.id, provider.name, REVOKED,
            {FIELD: (f"{row.name} ({row.prefix}…)", None)},
        )  # fmt: skip
    return row


def authenticate(session: Session, token: str, now: datetime) -> Provider | None:
    """The active provider a valid, unrevoked gateway token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalar(select(MessageToken).where(MessageToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None or not row.provider.active:
        return None
    last = as_utc(row.last_used_at) if row.last_used_at is not None else None
    if last is None or now - last > LAST_USED_PRECISION:
        row.last_used_at = now
        session.flush()
    return row.provider
