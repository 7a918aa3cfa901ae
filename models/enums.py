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


class ClosureCategory(enum.StrEnum):
    """R10: a. afgerond, terug in het netwerk; b. overgedragen aan het voorveld;
    c. doorverwezen naar vervolghulp; d. voortijdig afgesloten."""

    A = "a"
    B = "b"
    C = "c"
    D = "d"


class RequestOutcome(enum.StrEnum):
    IN_BEHANDELING = "in_behandeling"
    TOEGEKEND = "toegekend"
    AFGEWEZEN = "afgewezen"
    GEEN_VERVOLG = "geen_vervolg"
