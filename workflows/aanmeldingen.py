"""Aanmeldingen (a resident's request for support) and their outcome. Refusals need a
reason (R13). The request date follows the rules of ``workflows.eligibility``: not in the
future, not before the resident's birth, at most a year back, and for Jeugd before the
18th birthday."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models import Aanmelding, AanmeldingOutcome, Domain, Resident, Role, User

from .berichten import answers
from .eligibility import recent_request_problems, request_date_problems
from .errors import N_, DomainError, NotFound, Problem
from .paging import Page, paginate_objects
from .residents import departed_problems
from .text import clean_text

OUTCOME_LABELS: dict[AanmeldingOutcome, str] = {
    AanmeldingOutcome.IN_BEHANDELING: N_("In behandeling"),
    AanmeldingOutcome.TOEGEKEND: N_("Toegekend"),
    AanmeldingOutcome.AFGEWEZEN: N_("Afgewezen"),
    AanmeldingOutcome.GEEN_VERVOLG: N_("Geen vervolg"),
}


def register_aanmelding(
    session: Session,
    resident: Resident,
    actor: User,
    *,
    request_date: date,
    domain: Domain,
    question: str,
    today: date,
) -> Aanmelding:
    if actor.role != Role.GIDS:
        raise DomainError(N_("Alleen een gids kan een aanmelding registreren."))
    problems = request_date_problems(
        request_date, birth_date=resident.birth_date, domain=domain, today=today
    )
    if not problems:  # one message per field: the more specific one first
        problems = recent_request_problems(request_date, today)
    problems = departed_problems(resident) + problems
    question_text = clean_text(question)
    if not question_text:
        problems.append(Problem(N_("Beschrijf de hulpvraag."), "question"))
    if problems:
        raise DomainError.from_problems(problems)
    assert question_text is not None
    _refuse_same_open_aanmelding(session, resident, request_date, domain, question_text)
    aanmelding = Aanmelding(
        resident=resident,
        gids=actor,
        request_date=request_date,
        domain=domain,
        question=question_text,
        outcome=AanmeldingOutcome.IN_BEHANDELING,
    )
    session.add(aanmelding)
    session.flush()
    return aanmelding


def _refuse_same_open_aanmelding(
    session: Session, resident: Resident, request_date: date, domain: Domain, question: str
) -> None:
    """A double submit (two tabs, a double click) registers the same aanmelding twice: same
    resident, domain, date and question, still open. The resident's row is locked first, so two
    registrations for one resident take turns and the second finds the first."""
    session.execute(select(Resident.id).where(Resident.id == resident.id).with_for_update())
    same = select(Aanmelding.id).where(
        Aanmelding.resident_id == resident.id,
        Aanmelding.domain == domain,
        Aanmelding.request_date == request_date,
        Aanmelding.question == question,
        Aanmelding.outcome == AanmeldingOutcome.IN_BEHANDELING,
    )
    if session.scalar(same) is not None:
        raise DomainError(
            N_("Deze aanmelding is al geregistreerd (zelfde datum, domein en hulpvraag)."),
            field="question",
        )


def decide_aanmelding(
    session: Session,
    aanmelding: Aanmelding,
    actor: User,
    *,
    outcome: AanmeldingOutcome,
    reason: str | None,
    today: date,
    refusal_code: str | None = None,
) -> None:
    """Record the outcome. *Toegekend* normally follows from sending a trajectory; a refusal
    (*afgewezen*) needs a reason; *geen vervolg* may carry one. An aanmelding that came as a
    provider's 315 answers that provider: refused or without follow-up, a 319 *afgewezen*
    with ``refusal_code`` (RedenAfwijzingVerzoek; default 7, zorginhoudelijke afkeur)."""
    if actor.role != Role.GIDS:
        raise DomainError(N_("Alleen een gids kan over een aanmelding beslissen."))
    if aanmelding.outcome != AanmeldingOutcome.IN_BEHANDELING:
        raise DomainError(N_("Over deze aanmelding is al beslist."))
    if outcome == AanmeldingOutcome.IN_BEHANDELING:
        raise DomainError(N_("Kies een uitkomst."), field="outcome")
    reason_text = clean_text(reason)
    if outcome == AanmeldingOutcome.AFGEWEZEN and reason_text is None:
        raise DomainError(N_("Geef de reden van de afwijzing."), field="reason")
    aanmelding.outcome = outcome
    aanmelding.outcome_reason = reason_text
    aanmelding.decided_on = today
    session.flush()
    answers.on_aanmelding_decided(session, aanmelding, refusal_code=refusal_code, today=today)


def get_aanmelding(session: Session, aanmelding_id: int, *, for_update: bool = False) -> Aanmelding:
    """Load an aanmelding; locked (and read again) when it is about to be decided, so two decisions
    at the same moment take turns and the second sees the first."""
    aanmelding = session.get(
        Aanmelding, aanmelding_id, with_for_update=for_update or None, populate_existing=for_update
    )
    if aanmelding is None:
        raise NotFound(N_("Aanmelding niet gevonden."))
    return aanmelding


def aanmeldingen_of(
    session: Session,
    gids: User,
    outcome: AanmeldingOutcome | None,
    *,
    page: int = 1,
    per_page: int = 25,
) -> Page[Aanmelding]:
    """The gids's aanmeldingen, newest first, one page at a time; ``outcome`` None means all."""
    conditions = [Aanmelding.gids_id == gids.id]
    if outcome is not None:
        conditions.append(Aanmelding.outcome == outcome)
    return paginate_objects(
        session,
        select(Aanmelding)
        .where(*conditions)
        .options(joinedload(Aanmelding.resident))
        .order_by(Aanmelding.request_date.desc(), Aanmelding.id.desc()),
        page=page,
        per_page=per_page,
        ids=select(Aanmelding.id).where(*conditions),
    )
