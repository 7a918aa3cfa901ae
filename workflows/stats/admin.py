"""What the beheerder keeps for the statistics: outlier months, population figures, API tokens
for managers, and the review of profiles and providers that a history import created."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    ApiToken,
    Domain,
    OutlierMonth,
    PopulationFigure,
    Provider,
    Role,
    SupportProfile,
    User,
)

from .. import catalogue, config_log, providers
from ..clock import as_utc
from ..errors import N_, DomainError, NotFound, Problem
from ..guards import require_beheerder
from ..paging import Page, paginate_objects
from ..text import clean_text
from ..uniqueness import duplicate, refusing_duplicates
from .episodes import first_day
from .selection import parse_month

TOKEN_PREFIX = "tw_"
LAST_USED_PRECISION = timedelta(minutes=5)  # last_used_at is written at most this often
PER_PAGE = 50  # rows per page on the beheerder's lists


# --- outlier months -------------------------------------------------------------------------


def outlier_months(
    session: Session, *, page: int = 1, per_page: int = PER_PAGE
) -> Page[OutlierMonth]:
    """The flagged months, newest first, one page at a time."""
    return paginate_objects(
        session,
        select(OutlierMonth).order_by(
            OutlierMonth.month.desc(), OutlierMonth.domain, OutlierMonth.id
        ),
        page=page,
        per_page=per_page,
    )


def add_outlier_month(
    session: Session, actor: User, *, domain: str, month: str, reason: str
) -> OutlierMonth:
    """Flag a month as an outlier for a domain; the yearly means leave it out."""
    require_beheerder(actor)
    problems: list[Problem] = []
    if domain not in {d.value for d in Domain}:
        problems.append(Problem(N_("Kies het domein: wmo of jeugd."), "domain"))
    index = parse_month(month, "month", problems)
    text = clean_text(reason) or ""
    if not text:
        problems.append(Problem(N_("Geef de reden waarom deze maand afwijkt."), "reason"))
    if problems:
        raise DomainError.from_problems(problems)
    assert index is not None
    day = first_day(index)
    if session.scalar(
        select(OutlierMonth.id).where(OutlierMonth.domain == domain, OutlierMonth.month == day)
    ):
        raise DomainError.from_problems([duplicate("one_per_domain_month")])
    row = OutlierMonth(domain=Domain(domain), month=day, reason=text[:2000], created_by_id=actor.id)
    with refusing_duplicates(session):
        session.add(row)
    return row


def remove_outlier_month(session: Session, actor: User, outlier_id: int) -> None:
    require_beheerder(actor)
    row = session.get(OutlierMonth, outlier_id)
    if row is None:
        raise NotFound(N_("Deze uitschieter bestaat niet (meer)."))
    session.delete(row)
    session.flush()


# --- population figures ---------------------------------------------------------------------

POPULATION = "bevolking"  # the change log's kind of object (``workflows.config_log``)


def population_figures(
    session: Session, *, page: int = 1, per_page: int = PER_PAGE
) -> Page[PopulationFigure]:
    """The population figures, the latest year first, one page at a time."""
    return paginate_objects(
        session,
        select(PopulationFigure).order_by(PopulationFigure.year.desc()),
        page=page,
        per_page=per_page,
    )


def set_population(
    session: Session, actor: User, *, year: int, inhabitants: int, households: int
) -> PopulationFigure:
    """Record (or correct) the inhabitants and households of a year."""
    require_beheerder(actor)
    problems: list[Problem] = []
    if not 2000 <= year <= 2100:
        problems.append(Problem(N_("Kies een jaar tussen 2000 en 2100."), "year"))
    if not 0 < inhabitants <= 10_000_000:
        problems.append(Problem(N_("Vul het aantal inwoners in (meer dan 0)."), "inhabitants"))
    if not 0 < households <= 10_000_000:
        problems.append(Problem(N_("Vul het aantal huishoudens in (meer dan 0)."), "households"))
    elif 0 < inhabitants < households:
        problems.append(
            Problem(N_("Er kunnen niet meer huishoudens dan inwoners zijn."), "households")
        )
    if problems:
        raise DomainError.from_problems(problems)
    row = session.get(PopulationFigure, year)
    label = str(year)
    if row is None:
        row = PopulationFigure(year=year, inhabitants=inhabitants, households=households)
        with refusing_duplicates(session):  # the same year entered twice at the same moment
            session.add(row)
        config_log.record(
            session,
            actor,
            POPULATION,
            year,
            label,
            config_log.CREATED,
            {"inhabitants": (None, inhabitants), "households": (None, households)},
        )
    else:
        config_log.assign(
            session,
            actor,
            row,
            POPULATION,
            label,
            {"inhabitants": inhabitants, "households": households},
        )
    return row


def remove_population(session: Session, actor: User, year: int) -> None:
    require_beheerder(actor)
    row = session.get(PopulationFigure, year)
    if row is None:
        raise NotFound(N_("Voor dit jaar zijn geen bevolkingscijfers vastgelegd."))
    config_log.record(
        session,
        actor,
        POPULATION,
        year,
        str(year),
        config_log.DELETED,
        {"inhabitants": (row.inhabitants, None), "households": (row.households, None)},
    )
    session.delete(row)
    session.flush()


# --- API tokens -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_tokens(session: Session, *, page: int = 1, per_page: int = PER_PAGE) -> Page[ApiToken]:
    """The API tokens, newest first, one page at a time."""
    return paginate_objects(
        session,
        select(ApiToken).order_by(ApiToken.created_at.desc(), ApiToken.id.desc()),
        page=page,
        per_page=per_page,
    )


def managers(session: Session) -> Sequence[User]:
    return session.scalars(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.name)
    ).all()


def issue_token(session: Session, actor: User, *, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new bearer token for a manager. The token itself is returned once, to show once; only
    its SHA-256 is stored."""
    require_beheerder(actor)
    problems: list[Problem] = []
    user = session.get(User, user_id)
    if user is None or user.role != Role.MANAGER or not user.active:
        problems.append(Problem(N_("Kies een actieve manager."), "user_id"))
    label = (clean_text(name) or "")[:80]
    if not label:
        problems.append(Problem(N_("Geef het token een naam, bijvoorbeeld de toepassing."), "name"))
    elif session.scalar(
        select(ApiToken.id).where(
            ApiToken.user_id == user_id, ApiToken.name == label, ApiToken.revoked_at.is_(None)
        )
    ):
        problems.append(duplicate("uq_api_tokens_open_name"))
    if problems:
        raise DomainError.from_problems(problems)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user_id,
        name=label,
        prefix=token[:10],
        token_hash=token_hash(token),
        created_by_id=actor.id,
    )
    with refusing_duplicates(session):  # a double submit would leave a token nobody saw
        session.add(row)
    return row, token


def revoke_token(session: Session, actor: User, token_id: int, now: datetime) -> ApiToken:
    require_beheerder(actor)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFound(N_("Dit token bestaat niet."))
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()
    return row


def authenticate_token(session: Session, token: str, now: datetime) -> User | None:
    """The active manager a valid, unrevoked token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    user = row.user
    if not user.active or user.role != Role.MANAGER:
        return None
    last = as_utc(row.last_used_at) if row.last_used_at is not None else None
    if last is None or now - last > LAST_USED_PRECISION:
        row.last_used_at = now
        session.flush()
    return user


# --- imported catalogue entries ---------------------------------------------------------------


def imported_for_review(
    session: Session, *, profiles_page: int = 1, providers_page: int = 1, per_page: int = PER_PAGE
) -> tuple[Page[SupportProfile], Page[Provider]]:
    """What imports added and no beheerder has reviewed yet (an import with
    ``--create-missing`` can add thousands of providers): each list one page at a time."""
    profiles = paginate_objects(
        session,
        select(SupportProfile)
        .where(SupportProfile.imported.is_(True))
        .order_by(SupportProfile.code, SupportProfile.id),
        page=profiles_page,
        per_page=per_page,
    )
    providers = paginate_objects(
        session,
        select(Provider)
        .where(Provider.imported.is_(True))
        .order_by(Provider.agb_code, Provider.id),
        page=providers_page,
        per_page=per_page,
    )
    return profiles, providers


def review_imported(
    session: Session, actor: User, *, kind: str, item_id: int, name: str, active: bool
) -> None:
    """The beheerder names an imported profile or provider and accepts it into the catalogue
    (``active``) or keeps it only for history (inactive); either way it leaves the review list."""
    require_beheerder(actor)
    item: SupportProfile | Provider | None
    if kind == "profiel":
        item = session.get(SupportProfile, item_id)
    elif kind == "aanbieder":
        item = session.get(Provider, item_id)
    else:
        item = None
    if item is None or not item.imported:
        raise NotFound(N_("Dit geïmporteerde gegeven bestaat niet (meer)."))
    label = clean_text(name)
    if not label:
        raise DomainError(N_("Geef een naam."), field="name")
    if isinstance(item, SupportProfile):
        object_type, shown_as = catalogue.PROFILE, catalogue.profile_label(item)
    else:
        object_type, shown_as = providers.PROVIDER, providers.provider_label(item)
    config_log.assign(
        session,
        actor,
        item,
        object_type,
        shown_as,
        {"name": label[:160], "active": active, "imported": False},
    )
