"""The municipality's answers to a provider's request by message (315 / 317).

In iWmo/iJw 3.2 a request is answered in one of two ways:

* **toegewezen**: the toewijzing itself, a 301 whose ``ToegewezenProduct`` carries the request's
  ``ReferentieAanbieder`` (``reference_for_toewijzing`` gives the 301 builder that reference);
* a **319 antwoordbericht**: ``VerzoekAntwoord`` 1 *verzoek afgewezen* with a
  ``RedenAfwijzingVerzoek`` (1-9), or 2 *aanvraag in onderzoek* (the decision takes longer than
  the standard's answer term; the request stays open). The 3.2 319 has no "toegewezen" answer.

The hooks here are called by the workflows that decide (``aanmeldingen.decide_aanmelding``,
``trajectories.propose``, ``scaling.decide_scaling``), so the portal's buttons and the message
exchange answer alike. This module imports no workflow that decides (no import cycle).

Decisions written down here (where the standard leaves it to the municipality):

* A gids's refusal carries RedenAfwijzingVerzoek **7** (*zorginhoudelijke afkeur*) unless the
  caller names another code; *geen vervolg* on a 315's aanmelding is answered the same way.
* A trajectory for a 315's aanmelding sent to **another** provider refuses the request of the
  provider that asked (code 7): the gids chose another provider.
* A 317's scaling request still open when its trajectory closes lapses: 319 afgewezen, code 7,
  with the answer written on the request ("Het traject is afgesloten.").
* A request is answered once. Granted, it stays granted when the provider later returns the
  trajectory; the 301 goes only on the ``berichtenverkeer`` channel (a provider that asks by
  message for a product its contract has on the portal sees the trajectory in the portal).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    AanmeldingOutcome,
    Domain,
    Message,
    Role,
    ScalingRequest,
    Trajectory,
    User,
    Verzoek,
    VerzoekState,
    utcnow,
)

from ..errors import N_, DomainError
from .outgoing import header
from .schemas import Schemas
from .settings import settings_of
from .store import queue_outgoing
from .verzoeken import open_verzoek_of_aanmelding, open_verzoek_of_scaling
from .xml import Element, add, message_root

# LDT_VerzoekAntwoord
AFGEWEZEN = "1"
IN_ONDERZOEK = "2"

# LDT_RedenAfwijzingVerzoek, the same list for iWmo and iJw (the gids's form shows them).
REFUSAL_REASONS: dict[str, str] = {
    "1": N_("Geen wijziging, maar nieuwe aanvraag"),
    "2": N_("Past niet binnen budget"),
    "3": N_("Geen contract"),
    "4": N_("Past niet binnen contract"),
    "5": N_("Andere gemeente"),
    "6": N_("Stapeling"),
    "7": N_("Zorginhoudelijke afkeur"),
    "8": N_("Woonplaatsbeginsel"),
    "9": N_("Leeftijdsgrens is bereikt"),
}
GIDS_REFUSAL = "7"


def build_319(
    domain: Domain,
    *,
    sender: str,
    receiver: str,
    identification: str,
    today: date,
    reference: str,
    answer: str,
    refusal_code: str | None,
    schemas: Schemas,
) -> Element:
    """The 319 antwoordbericht: the header, then ``Antwoord``."""
    root = message_root(domain, "319")
    header(
        root,
        domain,
        "319",
        sender=sender,
        receiver=receiver,
        identification=identification,
        dated_on=today,
        schemas=schemas,
    )
    antwoord = add(root, "Antwoord")
    add(antwoord, "ReferentieAanbieder", reference)
    add(antwoord, "VerzoekAntwoord", answer)
    if refusal_code is not None:
        add(antwoord, "RedenAfwijzingVerzoek", refusal_code)
    return root


def send_319(
    session: Session,
    verzoek: Verzoek,
    *,
    answer: str,
    refusal_code: str | None,
    today: date,
    schemas: Schemas | None = None,
) -> Message:
    """Queue a 319 for the request; it answers the incoming message the request came in."""
    settings = settings_of(session)
    used = schemas or settings.schemas
    incoming = session.get(Message, verzoek.message_id)
    assert incoming is not None
    provider = verzoek.provider
    return queue_outgoing(
        session,
        provider=provider,
        kind="319",
        domain=verzoek.domain,
        dated_on=today,
        build=lambda identification: build_319(
            verzoek.domain,
            sender=settings.municipality_code,
            receiver=provider.agb_code,
            identification=identification,
            today=today,
            reference=verzoek.reference,
            answer=answer,
            refusal_code=refusal_code,
            schemas=used,
        ),
        schemas=used,
        trajectory=verzoek.trajectory,
        aanmelding=verzoek.aanmelding,
        answers=incoming,
    )


def refuse(
    session: Session,
    verzoek: Verzoek,
    *,
    code: str,
    text: str | None,
    today: date,
    schemas: Schemas | None = None,
) -> Message:
    """Refuse the request with ``code`` (RedenAfwijzingVerzoek) and send the 319."""
    if code not in REFUSAL_REASONS:
        raise DomainError(N_("Kies een reden van afwijzing uit de lijst."), field="refusal_code")
    verzoek.state = VerzoekState.AFGEWEZEN
    verzoek.refusal_code = code
    verzoek.refusal_text = text
    verzoek.answered_at = utcnow()
    session.flush()
    return send_319(
        session, verzoek, answer=AFGEWEZEN, refusal_code=code, today=today, schemas=schemas
    )


def answer_in_onderzoek(
    session: Session, verzoek: Verzoek, *, today: date, schemas: Schemas | None = None
) -> Message | None:
    """Tell the provider the request is being looked into (319, VerzoekAntwoord 2): the
    decision takes longer than the answer term. Once per request; None when it was sent
    already or the request is answered."""
    if verzoek.state != VerzoekState.OPEN:
        return None
    verzoek.state = VerzoekState.IN_ONDERZOEK
    session.flush()
    return send_319(
        session, verzoek, answer=IN_ONDERZOEK, refusal_code=None, today=today, schemas=schemas
    )


def tell_in_onderzoek(
    session: Session, aanmelding: Aanmelding, actor: User, today: date
) -> Message:
    """The aanmelding's gids tells the provider that asked (315) that its request is being
    looked into (``answer_in_onderzoek``)."""
    if actor.role != Role.GIDS or aanmelding.gids_id != actor.id:
        raise DomainError(N_("Alleen de gids van de aanmelding kan de aanbieder antwoorden."))
    verzoek = open_verzoek_of_aanmelding(session, aanmelding)
    sent = answer_in_onderzoek(session, verzoek, today=today) if verzoek is not None else None
    if sent is None:
        raise DomainError(
            N_("Er is geen verzoek van een aanbieder dat nog op een eerste antwoord wacht.")
        )
    return sent


def grant(session: Session, verzoek: Verzoek, trajectory: Trajectory) -> None:
    """The request is granted by ``trajectory``: its 301 (sent by the caller afterwards)
    carries the reference (``verzoeken.reference_for_toewijzing``)."""
    verzoek.state = VerzoekState.TOEGEWEZEN
    verzoek.trajectory_id = trajectory.id
    verzoek.trajectory = trajectory
    verzoek.answered_at = utcnow()
    session.flush()


# --- hooks of the deciding workflows ----------------------------------------------------------


def on_aanmelding_decided(
    session: Session,
    aanmelding: Aanmelding,
    *,
    refusal_code: str | None,
    today: date,
) -> None:
    """An aanmelding from a 315 that the gids refused (or closed without follow-up) answers
    the provider with a 319 afgewezen. *Toegekend* waits for the trajectory: its 301 answers."""
    if aanmelding.outcome not in (AanmeldingOutcome.AFGEWEZEN, AanmeldingOutcome.GEEN_VERVOLG):
        return
    verzoek = open_verzoek_of_aanmelding(session, aanmelding)
    if verzoek is None:
        return
    refuse(
        session,
        verzoek,
        code=refusal_code or GIDS_REFUSAL,
        text=aanmelding.outcome_reason,
        today=today,
    )


def on_trajectory_proposed(session: Session, trajectory: Trajectory, *, today: date) -> None:
    """Called when a trajectory is sent, before its 301 is built: a trajectory for a 315's
    aanmelding grants the request when it goes to the provider that asked (the 301 carries
    the reference), and refuses it (319, code 7) when the gids chose another provider."""
    if trajectory.aanmelding is None:
        return
    verzoek = open_verzoek_of_aanmelding(session, trajectory.aanmelding)
    if verzoek is None:
        return
    if verzoek.provider_id == trajectory.provider_id:
        grant(session, verzoek, trajectory)
    else:
        refuse(
            session,
            verzoek,
            code=GIDS_REFUSAL,
            text="De gids heeft een andere aanbieder gekozen.",
            today=today,
        )


def on_scaling_decided(
    session: Session,
    request: ScalingRequest,
    follow_up: Trajectory | None,
    *,
    refusal_code: str | None,
    today: date,
) -> None:
    """A scaling request from a 317: accepted, the follow-up's 301 (sent by the caller) carries
    the reference; refused, a 319 afgewezen (code 7 unless named)."""
    verzoek = open_verzoek_of_scaling(session, request)
    if verzoek is None:
        return
    if follow_up is not None:
        verzoek.state = VerzoekState.TOEGEWEZEN
        verzoek.answered_at = utcnow()
        session.flush()
        return
    refuse(
        session,
        verzoek,
        code=refusal_code or GIDS_REFUSAL,
        text=request.decision_reason,
        today=today,
    )


def on_scaling_settled(session: Session, request: ScalingRequest, *, today: date) -> None:
    """The trajectory closed while a 317's scaling request was open: the request lapsed, and
    the provider hears so (319 afgewezen, code 7, with the answer written on the request)."""
    verzoek = open_verzoek_of_scaling(session, request)
    if verzoek is None:
        return
    refuse(session, verzoek, code=GIDS_REFUSAL, text=request.decision_reason, today=today)
