"""Reading the providers' requests by message (``models.Verzoek``): which request an
aanmelding or a scaling request came from, whether it still waits for an answer, and the
reference (``ReferentieAanbieder``) a toewijzing answers. Models only: the 301 builder
(``outgoing``) and the answers (``answers``) both read it without an import cycle."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import (
    Aanmelding,
    Domain,
    Provider,
    ScalingRequest,
    Trajectory,
    Verzoek,
    VerzoekState,
)

from ..errors import N_

OPEN_STATES = (VerzoekState.OPEN, VerzoekState.IN_ONDERZOEK)
VERZOEK_STATE_LABELS: dict[VerzoekState, str] = {
    VerzoekState.OPEN: N_("Wacht op antwoord"),
    VerzoekState.IN_ONDERZOEK: N_("In onderzoek gemeld"),
    VerzoekState.TOEGEWEZEN: N_("Toegewezen (bericht 301)"),
    VerzoekState.AFGEWEZEN: N_("Afgewezen (bericht 319)"),
}


def open_verzoek_of_aanmelding(session: Session, aanmelding: Aanmelding) -> Verzoek | None:
    """The 315 request the aanmelding came from, while it waits for an answer."""
    return session.scalars(
        select(Verzoek).where(
            Verzoek.aanmelding_id == aanmelding.id, Verzoek.state.in_(OPEN_STATES)
        )
    ).first()


def verzoek_of_aanmelding(session: Session, aanmelding: Aanmelding) -> Verzoek | None:
    """The 315 request the aanmelding came from, answered or not (for the gids's pages)."""
    return session.scalars(select(Verzoek).where(Verzoek.aanmelding_id == aanmelding.id)).first()


def verzoek_of_scaling(session: Session, request: ScalingRequest) -> Verzoek | None:
    """The 317 request the scaling request came from, answered or not."""
    return session.scalars(select(Verzoek).where(Verzoek.scaling_request_id == request.id)).first()


def open_verzoek_of_scaling(session: Session, request: ScalingRequest) -> Verzoek | None:
    return session.scalars(
        select(Verzoek).where(
            Verzoek.scaling_request_id == request.id, Verzoek.state.in_(OPEN_STATES)
        )
    ).first()


def reference_for_toewijzing(session: Session, trajectory: Trajectory) -> str | None:
    """The ``ReferentieAanbieder`` a 301 for this trajectory carries: the 315 it granted, or the
    317 whose accepted scaling made it (the follow-up). None for a toewijzing nobody asked for."""
    granted = session.scalar(
        select(Verzoek.reference).where(
            Verzoek.trajectory_id == trajectory.id,
            Verzoek.kind == "315",
            Verzoek.state == VerzoekState.TOEGEWEZEN,
        )
    )
    if granted is not None:
        return granted
    return session.scalar(
        select(Verzoek.reference)
        .join(ScalingRequest, ScalingRequest.id == Verzoek.scaling_request_id)
        .where(
            ScalingRequest.follow_up_id == trajectory.id,
            Verzoek.state == VerzoekState.TOEGEWEZEN,
        )
    )


def reference_code(
    session: Session, provider: Provider, domain: Domain, reference: str
) -> str | None:
    """The retour code for a ReferentieAanbieder this provider used before in this domain:
    9359 when a 301 answered it, 9360 when a 319 did, 9347 while it waits; None when new."""
    earlier = session.scalars(
        select(Verzoek).where(
            Verzoek.provider_id == provider.id,
            Verzoek.domain == domain,
            Verzoek.reference == reference,
        )
    ).first()
    if earlier is None:
        return None
    if earlier.state == VerzoekState.TOEGEWEZEN:
        return "9359"
    if earlier.state != VerzoekState.OPEN:
        return "9360"
    return "9347"
