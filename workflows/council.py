"""The council report (*raadsrapportage*, docs/statistics.md "Council report"): which year it
covers, and the managers' written commentary per year, domain and figure. The figures
themselves are the published figures of ``workflows.stats.report`` (composed in
``app/council.py``); this module only checks the year and keeps the commentary, each change
written to the change log (``config_log``) like every other change a person makes to what the
application keeps."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import CouncilComment, Domain, User
from models.base import utcnow

from . import config_log
from .errors import N_, DomainError, Problem
from .guards import require_manager
from .stats.selection import EARLIEST_YEAR, cutoff_month
from .uniqueness import refusing_duplicates

COMMENT = "raadsrapportage"  # the change log's kind of object
MAX_COMMENT = 2000  # characters
# The rows of the report, in order: the keys its commentary is kept under.
FIGURE_KEYS = (
    "clients_in_care",
    "inflow",
    "outflow",
    "achieved_on_time",
    "achieved_late",
    "committed",
    "approved",
    "mean_price_per_client",
    "clients_per_1000_inhabitants",
    "households_per_1000_households",
)


@dataclass(frozen=True)
class CouncilYear:
    """The year Y of the report and the months compared: January up to ``last_month`` of Y
    and of Y − 1 (December, unless Y is the current year and only partly past the cut-off)."""

    year: int
    last_month: int

    @property
    def partial(self) -> bool:
        return self.last_month != 12

    def period(self, year: int) -> tuple[str, str]:
        """``from`` and ``to`` (YYYY-MM) of ``year``'s part in the comparison."""
        return f"{year:04d}-01", f"{year:04d}-{self.last_month:02d}"


def council_year(raw: str | None, today: date) -> CouncilYear:
    """The year asked for (empty: the last complete calendar year up to the data cut-off),
    or a ``DomainError`` at ``year``."""
    cutoff = cutoff_month(today)
    cutoff_year, cutoff_last = cutoff // 12, cutoff % 12 + 1
    text = (raw or "").strip()
    if not text:
        year = cutoff_year if cutoff_last == 12 else cutoff_year - 1
        return CouncilYear(year, 12)
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise DomainError.from_problems(
            [
                Problem(
                    N_("Het jaar moet vier cijfers zijn, zoals 2025, niet '%(value)s'."),
                    "year",
                    {"value": text[:20]},
                )
            ]
        )
    year = int(text)
    if not EARLIEST_YEAR < year <= cutoff_year:
        raise DomainError.from_problems(
            [
                Problem(
                    N_("Kies een jaar van %(first)s tot en met %(last)s."),
                    "year",
                    {"first": EARLIEST_YEAR + 1, "last": cutoff_year},
                )
            ]
        )
    return CouncilYear(year, cutoff_last if year == cutoff_year else 12)


def comment_field(domain: Domain, figure: str) -> str:
    """The form field (and problem field) of one commentary."""
    return f"{domain.value}_{figure}"


def comments(
    session: Session, year: int, for_update: bool = False
) -> dict[tuple[Domain, str], CouncilComment]:
    """(domain, figure key) → the commentary of ``year``; ``for_update`` locks the rows
    (PostgreSQL), so two saves of the same year take turns and the second sees the first."""
    statement = select(CouncilComment).where(CouncilComment.year == year)
    if for_update:
        statement = statement.with_for_update()
    return {(row.domain, row.figure): row for row in session.scalars(statement)}


def _changed_meanwhile(field: str, stored: str) -> Problem:
    if not stored:
        return Problem(
            N_(
                "Deze toelichting is verwijderd nadat u de pagina opende (door een andere "
                "manager of in een ander venster). Sla opnieuw op om uw tekst te bewaren."
            ),
            field,
        )
    return Problem(
        N_(
            "Deze toelichting is gewijzigd nadat u de pagina opende (door een andere manager "
            "of in een ander venster). Nu staat er: “%(text)s”. Neem over wat u wilt houden "
            "en sla opnieuw op."
        ),
        field,
        {"text": stored},
    )


def fingerprint(text: str | None) -> str:
    """A short digest of a commentary as a form showed it (none shows as ""): the form sends
    it back, so a save can tell whether somebody else changed the text in the meantime."""
    return hashlib.sha256((text or "").encode()).hexdigest()[:16]


def _label(year: int, domain: Domain, figure: str) -> str:
    return f"{year} · {domain.value} · {figure}"


def save_comments(
    session: Session,
    actor: User,
    year: int,
    texts: Mapping[tuple[Domain, str], str],
    shown: Mapping[tuple[Domain, str], str],
) -> int:
    """Write the commentary of ``year`` as typed: new text is added, changed text replaced, an
    emptied one removed, each change logged. Returns the number of changes.

    ``shown`` holds the ``fingerprint`` of each text as the form showed it. A text that was
    changed by somebody else since (another manager, or another window) is not overwritten:
    the save is refused with the other text in the message at its field, so nothing typed by
    either is lost; saving again (the page then shows the current fingerprint) overwrites it.
    The same text sent twice (a double submit) is no change and no conflict."""
    require_manager(actor)
    problems: list[Problem] = []
    if not EARLIEST_YEAR < year <= 2100:
        problems.append(Problem(N_("Kies een jaar tussen 2001 en 2100."), "year"))
    cleaned: dict[tuple[Domain, str], str] = {}
    for (domain, figure), raw in texts.items():
        if figure not in FIGURE_KEYS:
            problems.append(
                Problem(N_("Onbekend cijfer '%(value)s'."), None, {"value": figure[:40]})
            )
            continue
        text = raw.replace("\r\n", "\n").strip()
        if len(text) > MAX_COMMENT:
            problems.append(
                Problem(
                    N_(
                        "Deze toelichting is %(length)s tekens lang; er passen er ten hoogste "
                        "%(max)s in. Maak haar korter."
                    ),
                    comment_field(domain, figure),
                    {"length": len(text), "max": MAX_COMMENT},
                )
            )
        cleaned[(domain, figure)] = text
    if problems:
        raise DomainError.from_problems(problems)
    kept = comments(session, year, for_update=True)
    for (domain, figure), text in cleaned.items():
        row = kept.get((domain, figure))
        stored = row.text if row is not None else ""
        if text != stored and shown.get((domain, figure)) != fingerprint(stored):
            problems.append(_changed_meanwhile(comment_field(domain, figure), stored))
    if problems:
        raise DomainError.from_problems(problems)
    changed = 0
    for (domain, figure), text in cleaned.items():
        row = kept.get((domain, figure))
        label = _label(year, domain, figure)
        if row is None and text:
            row = CouncilComment(
                year=year, domain=domain, figure=figure, text=text, updated_by_id=actor.id
            )
            with refusing_duplicates(session):  # the same commentary saved twice at once
                session.add(row)
            config_log.record(
                session, actor, COMMENT, row.id, label, config_log.CREATED, {"text": (None, text)}
            )
            changed += 1
        elif row is not None and not text:
            config_log.record(
                session,
                actor,
                COMMENT,
                row.id,
                label,
                config_log.DELETED,
                {"text": (row.text, None)},
            )
            session.delete(row)
            session.flush()
            changed += 1
        elif row is not None and row.text != text:
            config_log.assign(session, actor, row, COMMENT, label, {"text": text})
            row.updated_by_id, row.updated_at = actor.id, utcnow()
            changed += 1
    session.flush()
    return changed
