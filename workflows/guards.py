"""Who may act on a running trajectory, shared by evaluations, scaling, closure and claims.

Two parties act on a trajectory once care runs: its *responsible* gids (``trajectory.gids_id``,
the single contact for the household) and the users of its *main* provider (the
hoofdaannemer; a subcontractor delivers care but does not report to the municipality, R12).
A provider user who is not of the main provider is told the trajectory does not exist, so one
provider cannot learn about another's cases (need to know).
"""

from __future__ import annotations

from models import Role, Trajectory, TrajectoryState, User

from .errors import N_, DomainError, NotFound


def is_responsible_gids(trajectory: Trajectory, actor: User) -> bool:
    return actor.role == Role.GIDS and actor.id == trajectory.gids_id


def is_main_provider_user(trajectory: Trajectory, actor: User) -> bool:
    return actor.role == Role.AANBIEDER and actor.provider_id == trajectory.provider_id


def require_responsible_gids(trajectory: Trajectory, actor: User) -> None:
    if not is_responsible_gids(trajectory, actor):
        raise DomainError(N_("U heeft geen recht om dit te doen."))


def require_main_provider_user(trajectory: Trajectory, actor: User) -> None:
    """Anyone but a user of the main provider is told the trajectory does not exist."""
    if not is_main_provider_user(trajectory, actor):
        raise NotFound(N_("Traject niet gevonden."))


def require_gids_or_main_provider(trajectory: Trajectory, actor: User) -> None:
    """The responsible gids or a user of the main provider; another provider's user gets
    ``NotFound``, anyone else (another gids, a manager) is told they may not."""
    if is_responsible_gids(trajectory, actor) or is_main_provider_user(trajectory, actor):
        return
    if actor.role == Role.AANBIEDER:
        raise NotFound(N_("Traject niet gevonden."))
    raise DomainError(N_("U heeft geen recht om dit te doen."))


def require_beheerder(actor: User | None) -> None:
    """Configuration (users, catalogue, providers, contracts, wijken, statistics settings) is
    the beheerder's, or (``None``) the operator's at the command line."""
    if actor is not None and actor.role != Role.BEHEERDER:
        raise DomainError(N_("U heeft geen recht om dit te doen."))


def require_active(trajectory: Trajectory, message: str) -> None:
    if trajectory.state != TrajectoryState.ACTIEF:
        raise DomainError(message)


def require_manager(actor: User) -> None:
    """What a manager writes about the figures (the council report's commentary)."""
    if actor.role != Role.MANAGER:
        raise DomainError(N_("U heeft geen recht om dit te doen."))
