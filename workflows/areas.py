"""The wijken and kernen (districts and villages) of the municipality: a resident lives in one,
and the figures can be filtered by it.

The beheerder adds and renames them (each change in the change log). A rename carries over to
the statistics (``workflows.stats.feed.rename_wijk``), so a filter on the new name finds the
whole history. A wijk that is in use — a resident lives there, or the figures name it (also
after the resident's data is gone) — cannot be deleted; an unused one, added by mistake, can.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import Resident, User, Wijk

from . import config_log
from .errors import N_, DomainError, NotFound
from .guards import require_beheerder
from .stats.feed import rename_wijk as rename_in_figures
from .stats.feed import wijk_in_figures
from .text import clean_text
from .uniqueness import duplicate, refusing_duplicates

WIJK = "wijk"  # the change log's kind of object
MAX_NAME_LENGTH = 80


@dataclass(frozen=True)
class WijkRow:
    wijk: Wijk
    in_use: bool


def _name(session: Session, name: str, wijk_id: int | None = None) -> str:
    label = clean_text(name) or ""
    if not label:
        raise DomainError(N_("Geef de naam van de wijk of kern."), field="name")
    if len(label) > MAX_NAME_LENGTH:
        raise DomainError(
            N_("De naam mag ten hoogste %(n)s tekens hebben."), field="name", n=MAX_NAME_LENGTH
        )
    other = session.scalar(select(Wijk.id).where(Wijk.name == label))
    if other is not None and other != wijk_id:
        raise DomainError.from_problems([duplicate("uq_wijken_name")])
    return label


def _in_use(session: Session, wijk: Wijk) -> bool:
    return bool(
        session.scalar(select(exists().where(Resident.wijk_id == wijk.id)))
    ) or wijk_in_figures(session.connection(), wijk.name)


def wijken(session: Session) -> list[WijkRow]:
    """Every wijk/kern by name, and whether it is in use."""
    used = set(session.scalars(select(Resident.wijk_id).where(Resident.wijk_id.is_not(None))))
    return [
        WijkRow(w, w.id in used or wijk_in_figures(session.connection(), w.name))
        for w in session.scalars(select(Wijk).order_by(Wijk.name))
    ]


def get_wijk(session: Session, wijk_id: int) -> Wijk:
    wijk = session.get(Wijk, wijk_id, with_for_update=True)
    if wijk is None:
        raise NotFound(N_("Deze wijk of kern bestaat niet (meer)."))
    return wijk


def add_wijk(session: Session, name: str, actor: User | None = None) -> Wijk:
    """A new wijk or kern, once per name (``actor`` None: the operator at the command line)."""
    require_beheerder(actor)
    label = _name(session, name)
    if wijk_in_figures(session.connection(), label):
        raise DomainError(_IN_FIGURES, field="name")
    wijk = Wijk(name=label)
    with refusing_duplicates(session):
        session.add(wijk)
    config_log.record(
        session, actor, WIJK, wijk.id, label, config_log.CREATED, {"name": (None, label)}
    )
    return wijk


_IN_FIGURES = N_(
    "Deze naam staat nog in de cijfers van een eerdere wijk of kern. Kies een andere naam."
)


def rename_wijk(session: Session, actor: User, wijk_id: int, name: str) -> Wijk:
    """A new name for a wijk or kern; the figures follow."""
    require_beheerder(actor)
    wijk = get_wijk(session, wijk_id)
    label = _name(session, name, wijk.id)
    if label == wijk.name:
        return wijk
    if wijk_in_figures(session.connection(), label):
        raise DomainError(_IN_FIGURES, field="name")
    old = wijk.name
    with refusing_duplicates(session):
        config_log.assign(session, actor, wijk, WIJK, label, {"name": label})
    rename_in_figures(session.connection(), old, label)
    return wijk


def remove_wijk(session: Session, actor: User, wijk_id: int) -> None:
    """Delete a wijk or kern nobody lives in and no figure names."""
    require_beheerder(actor)
    wijk = get_wijk(session, wijk_id)
    if _in_use(session, wijk):
        raise DomainError(
            N_(
                "%(name)s is in gebruik: er wonen inwoners of de cijfers noemen deze wijk of "
                "kern. Een wijk of kern die in gebruik is, kan niet worden verwijderd; wijzig "
                "zo nodig de naam."
            ),
            name=wijk.name,
        )
    config_log.record(
        session, actor, WIJK, wijk.id, wijk.name, config_log.DELETED, {"name": (wijk.name, None)}
    )
    session.delete(wijk)
    session.flush()
