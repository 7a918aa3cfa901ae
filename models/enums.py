"""Enumerations shared by several aggregates. Values are the stored strings."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    GIDS = "gids"
    AANBIEDER = "aanbieder"
    MANAGER = "manager"
    BEHEERDER = "beheerder"


class Domain(enum.StrEnum):
    WMO = "wmo"
    JEUGD = "jeugd"


class Channel(enum.StrEnum):
    """How a provider exchanges a contract's trajectories with the municipality: through the
    iWmo/iJw messages of its own client system, or through this app's portal."""

    BERICHTENVERKEER = "berichtenverkeer"
    PORTAAL = "portaal"


class ReferrerType(enum.StrEnum):
    """Who referred a young resident to care (*Verwijzer*, iJw Basisschema LDT_TypeVerwijzer /
    CDT_Verwijzer). The value is the national code; 07 is not in the list."""

    GEMEENTE = "01"
    HUISARTS = "02"
    JEUGDARTS = "03"
    GECERTIFICEERDE_INSTELLING = "04"
    MEDISCH_SPECIALIST = "05"
    ZELFVERWIJZER = "06"  # zelfverwijzer / geen verwijzer
    RECHTER = "08"  # rechter, officier van justitie, functionaris justitiële jeugdinrichting


class Intensity(enum.StrEnum):
    LAAG = "laag"
    MIDDEL = "middel"
    ZWAAR = "zwaar"


class NeedType(enum.StrEnum):
    EINDIG = "eindig"
    BLIJVEND = "blijvend"


class ContractRole(enum.StrEnum):
    HOOFDAANNEMER = "hoofdaannemer"
    ONDERAANNEMER = "onderaannemer"


class TrajectoryState(enum.StrEnum):
    CONCEPT = "concept"
    VOORGESTELD = "voorgesteld"
    TERUGGESTUURD = "teruggestuurd"
    GEACCEPTEERD = "geaccepteerd"
    ACTIEF = "actief"
    AFGESLOTEN = "afgesloten"
    GEANNULEERD = "geannuleerd"


class EventAction(enum.StrEnum):
    """Every step ever recorded in a trajectory's history (``TrajectoryEvent.action``). The
    trajectory's own steps are ``workflows.transitions.Action``; the others record what happened
    to its evaluations, requests and claims, and the history import."""

    # the trajectory itself (workflows.trajectories, workflows.transitions)
    AANGEMAAKT = "aangemaakt"
    WIJZIGEN = "wijzigen"
    VOORSTELLEN = "voorstellen"
    ACCEPTEREN = "accepteren"
    TERUGSTUREN = "terugsturen"
    ZORG_STARTEN = "zorg_starten"
    AFSLUITEN = "afsluiten"
    ANNULEREN = "annuleren"
    VERLENGD = "verlengd"
    # evaluations (workflows.evaluations)
    EVALUATIES_GEPLAND = "evaluaties_gepland"
    EVALUATIE_INTERVAL = "evaluatie_interval"
    EVALUATIE_EXTRA = "evaluatie_extra"
    EVALUATIE_INGEDIEND = "evaluatie_ingediend"
    EVALUATIE_BEOORDEELD = "evaluatie_beoordeeld"
    ZRM_GEWIJZIGD = "zrm_gewijzigd"
    # scaling up or down (workflows.scaling)
    OPSCHALING_GEVRAAGD = "opschaling_gevraagd"
    OPSCHALING_TOEGEKEND = "opschaling_toegekend"
    OPSCHALING_AFGEWEZEN = "opschaling_afgewezen"
    # end of care (workflows.closure)
    EINDE_ZORG_GEMELD = "einde_zorg_gemeld"
    EINDE_ZORG_TERUGGESTUURD = "einde_zorg_teruggestuurd"
    # claims (workflows.claims)
    GEDECLAREERD = "gedeclareerd"
    DECLARATIE_GOEDGEKEURD = "declaratie_goedgekeurd"
    DECLARATIE_AFGEWEZEN = "declaratie_afgewezen"
    # the history import (workflows.stats.history)
    GEIMPORTEERD = "geimporteerd"


class ClosureCategory(enum.StrEnum):
    """R10: a. afgerond, terug in het netwerk; b. overgedragen aan het voorveld;
    c. doorverwezen naar vervolghulp; d. voortijdig afgesloten."""

    A = "a"
    B = "b"
    C = "c"
    D = "d"


class AanmeldingOutcome(enum.StrEnum):
    IN_BEHANDELING = "in_behandeling"
    TOEGEKEND = "toegekend"
    AFGEWEZEN = "afgewezen"
    GEEN_VERVOLG = "geen_vervolg"


class EvaluationKind(enum.StrEnum):
    REGULIER = "regulier"  # on the cycle (R8)
    EIND = "eind"  # the final evaluation, two weeks before the planned end
    EXTRA = "extra"  # opened when the need changed


class EvaluationState(enum.StrEnum):
    GEPLAND = "gepland"
    INGEDIEND = "ingediend"
    BEOORDEELD = "beoordeeld"


class ReviewOutcome(enum.StrEnum):
    AKKOORD = "akkoord"
    BESPREKEN = "bespreken"


class SubmissionState(enum.StrEnum):
    """State of something a provider submits for the gids to decide: a scaling request or an
    end-of-care report (ingediend, then toegekend or afgewezen). Not the state of an
    aanmelding, which is its ``AanmeldingOutcome``. Once misleadingly called ``RequestState``;
    the CHECK constraints keep that stored name (``name="requeststate"``)."""

    INGEDIEND = "ingediend"
    TOEGEKEND = "toegekend"
    AFGEWEZEN = "afgewezen"


class ClaimState(enum.StrEnum):
    INGEDIEND = "ingediend"
    GOEDGEKEURD = "goedgekeurd"
    AFGEWEZEN = "afgewezen"


class PromptStage(enum.IntEnum):
    """How far the scheduler has prompted about a date (an evaluation's due date, a trajectory's
    planned end): nothing yet, *soon*, or *passed*. A high-water mark, so the daily jobs read only
    what entered a window since they last ran (see ``workflows.scheduler_jobs``)."""

    NONE = 0
    SOON = 1
    PASSED = 2


class TaskKind(enum.StrEnum):
    EVALUATIE_BINNENKORT = "evaluatie_binnenkort"
    EVALUATIE_TE_LAAT = "evaluatie_te_laat"
    TERMIJN_BIJNA = "termijn_bijna"
    TERMIJN_VERSTREKEN = "termijn_verstreken"
    JEUGD_18 = "jeugd_18"
    BESCHIKKING_VERLOOPT = "beschikking_verloopt"
    EVALUATIE_BEOORDELEN = "evaluatie_beoordelen"
    OPSCHALING_BESLISSEN = "opschaling_beslissen"
    EINDE_ZORG_BEVESTIGEN = "einde_zorg_bevestigen"
    VOORSTEL_NIEUW = "voorstel_nieuw"
    TERUGGESTUURD = "teruggestuurd"
    EVALUATIE_BESPREKEN = "evaluatie_bespreken"
    OPSCHALING_AFGEWEZEN = "opschaling_afgewezen"
    EINDE_ZORG_TERUGGESTUURD = "einde_zorg_teruggestuurd"
    DECLARATIE_BEOORDELEN = "declaratie_beoordelen"
    DECLARATIE_AFGEWEZEN = "declaratie_afgewezen"
