"""What the exchange needs from the installation: the municipality's code and the schemas.

The app builds one ``Settings`` at start-up (``MUNICIPALITY_CODE``, ``ISTANDAARDEN_XSD_DIR``) and
puts it in its session factory's ``info`` under ``SETTINGS_INFO``, like the statistics'
pseudonym key; every session of the app carries it, so a workflow that sends a message (the
hooks in ``workflows.trajectories`` and ``workflows.scaling``) needs no extra argument:
``settings_of(session)``. A session without it (a script's plain session, most tests) gets the
defaults: Dronten's code and no schemas (the exchange then checks its own rules only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ..claims import ClaimPolicy
from ..clock import DEFAULT_TIMEZONE
from .schemas import NO_SCHEMAS, Schemas

SETTINGS_INFO = "berichten"
DEFAULT_MUNICIPALITY_CODE = "0303"  # Dronten, the demo municipality (CBS gemeentecode)
_CODE = re.compile(r"^[0-9]{4}$")


def is_municipality_code(value: str) -> bool:
    """Four digits: the CBS code of a municipality (LDT_Gemeente)."""
    return bool(_CODE.match(value))


@dataclass(frozen=True)
class Settings:
    municipality_code: str = DEFAULT_MUNICIPALITY_CODE
    schemas: Schemas = field(default=NO_SCHEMAS)
    # The municipality's time zone (the app's TIMEZONE): a message's times are local times.
    timezone: str = DEFAULT_TIMEZONE
    # What a trajectory closed without its result may claim (R11, ``CLAIM_POLICY``): a
    # declaration by message (323) is judged as the portal's claim.
    claim_policy: ClaimPolicy = ClaimPolicy.PRO_RATA

    def __post_init__(self) -> None:
        if not is_municipality_code(self.municipality_code):
            raise ValueError(f"not a municipality code: {self.municipality_code!r}")


DEFAULTS = Settings()


def settings_of(session: Session) -> Settings:
    found = session.info.get(SETTINGS_INFO)
    return found if isinstance(found, Settings) else DEFAULTS
