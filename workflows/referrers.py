"""The referrer (*Verwijzer*) of a Jeugd trajectory and of an aanmelding.

Under the Jeugdwet care follows a referral: the trajectory records who referred the young
resident, by the iJw code list (LDT_TypeVerwijzer, ``ReferrerType``) and a name. The Wmo knows
no referrer: a Wmo trajectory or aanmelding keeps none. The toewijzing of release 3.2 (JW301)
carries no Verwijzer, so it is kept in the app (a 315 brings one).

* Sending a Jeugd trajectory (``propose``) needs the type. The standard identifies a referrer by
  its type and a name or, for a doctor, the AGB code (CDT_Verwijzer: "Type en Naam of
  ZorgverlenerCode"); the app keeps no AGB code, so every type that names a person or body
  needs the name: all but 06 (*zelfverwijzer / geen verwijzer*), which has no name and keeps
  none (nor does a trajectory without a referrer type).
* A concept and an aanmelding may leave the referrer open; what is filled in must fit (a name
  of at most 64 characters, LDT_NaamVerwijzer).
"""

from __future__ import annotations

from dataclasses import dataclass

from models import Domain, ReferrerType

from .berichten.codes import REFERRER_NAME_MAX
from .errors import N_, Problem
from .text import clean_text

WITHOUT_NAME = frozenset({ReferrerType.ZELFVERWIJZER})


@dataclass(frozen=True)
class Referrer:
    type: ReferrerType | None
    name: str | None


def needs_name(referrer_type: ReferrerType | None) -> bool:
    return referrer_type is not None and referrer_type not in WITHOUT_NAME


def checked_referrer(
    domain: Domain,
    referrer_type: ReferrerType | None,
    referrer_name: str | None,
    problems: list[Problem],
    *,
    complete: bool,
) -> Referrer:
    """The referrer to keep for ``domain`` (Wmo: none), appending a problem for what does not
    fit; ``complete``: the trajectory is being sent, so a Jeugd referrer must be whole."""
    if domain != Domain.JEUGD:
        return Referrer(None, None)
    name = clean_text(referrer_name)
    if not needs_name(referrer_type):
        name = None  # no referrer, or a self-referral: no name to keep
    if name is not None and len(name) > REFERRER_NAME_MAX:
        problems.append(
            Problem(
                N_("De naam van de verwijzer heeft hoogstens %(max)s tekens."),
                "referrer_name",
                {"max": REFERRER_NAME_MAX},
            )
        )
    if complete and referrer_type is None:
        problems.append(
            Problem(
                N_("Kies wie de jeugdige heeft verwezen: een Jeugd-traject vraagt een verwijzer."),
                "referrer_type",
            )
        )
    elif complete and needs_name(referrer_type) and name is None:
        problems.append(
            Problem(
                N_("Vul de naam van de verwijzer in (persoon of instantie)."),
                "referrer_name",
            )
        )
    return Referrer(referrer_type, name)
