"""The rules a historical row meets: the same functions as the live workflows
(``workflows.eligibility``, ``workflows.closure_rules``), each judged at the row's own dates.

* the request lies after the birth (and, Jeugd, before the 18th birthday); a Jeugd trajectory
  began (request, else decision, else start) before 18 and — verlengde jeugdhulp — runs before
  the 23rd birthday;
* care starts on or after the decision date;
* the provider held a main contract for the profile at the start of care (else at the decision
  date) — not necessarily today;
* category, reason and result go together as the domain's table says.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import ClosureCategory, Contract, ContractRole, Domain, Provider, SupportProfile

from ...closure_rules import ClosureFields, closure_problems
from ...eligibility import (
    contract_covers,
    jeugd_age_problems,
    jeugd_extended_problems,
    request_date_problems,
    start_before_decision_problems,
)
from ...errors import N_, Problem

IMPORT_CLOSURE_FIELDS = ClosureFields("afsluitcategorie", "reden_beeindiging", "resultaat_behaald")


@dataclass(frozen=True)
class MainContracts:
    """The main-contractor periods the catalogue holds, by (AGB code, profile code), and the
    providers and profiles it holds any contract for. A provider or profile without any (added
    by an import and kept for history) cannot be checked, so its rows are not."""

    periods: dict[tuple[str, str], list[tuple[date, date | None]]]
    providers: frozenset[str]
    profiles: frozenset[str]


def main_contracts(session: Session) -> MainContracts:
    periods: dict[tuple[str, str], list[tuple[date, date | None]]] = defaultdict(list)
    providers: set[str] = set()
    profiles: set[str] = set()
    for agb, code, role, valid_from, valid_to in session.execute(
        select(
            Provider.agb_code,
            SupportProfile.code,
            Contract.role,
            Contract.valid_from,
            Contract.valid_to,
        )
        .join(Provider, Provider.id == Contract.provider_id)
        .join(SupportProfile, SupportProfile.id == Contract.profile_id)
    ):
        providers.add(agb)
        profiles.add(code)
        if role == ContractRole.HOOFDAANNEMER:
            periods[(agb, code)].append((valid_from, valid_to))
    return MainContracts(dict(periods), frozenset(providers), frozenset(profiles))


@dataclass(frozen=True)
class RuleInput:
    """The values of one row the rules read; None where the row has none (or a bad one)."""

    birth: date | None
    domain: Domain | None
    profile: str
    provider: str
    request_date: date | None
    decision_date: date | None
    start: date | None
    planned_end: date | None
    end: date | None
    closure: ClosureCategory | None
    reason: str | None
    result: bool | None


def rule_problems(contracts: MainContracts, row: RuleInput, today: date) -> list[Problem]:
    """Every rule the row breaks, each at its column."""
    problems = age_problems(row, today)
    if row.start is not None:
        problems += start_before_decision_problems(row.start, row.decision_date, "startdatum")
    problems += contract_problems(contracts, row)
    if row.domain is not None and row.end is not None:
        closure, reason, result = row.closure, row.reason, row.result
        if closure is not None and reason is not None and result is not None:
            problems += closure_problems(row.domain, closure, reason, result, IMPORT_CLOSURE_FIELDS)
    return problems


def age_problems(row: RuleInput, today: date) -> list[Problem]:
    """The request after the birth; Jeugd begun before 18 and running before 23."""
    birth, domain = row.birth, row.domain
    if birth is None or domain is None:
        return []
    problems: list[Problem] = []
    if row.request_date is not None:  # for Jeugd this is the day it began
        problems += request_date_problems(
            row.request_date, birth_date=birth, domain=domain, today=today, field="aanmelddatum"
        )
    elif domain == Domain.JEUGD:
        began = [
            (day, column)
            for day, column in ((row.decision_date, "besluitdatum"), (row.start, "startdatum"))
            if day is not None
        ]
        for day, column in began[:1]:
            problems += jeugd_age_problems(birth, day, column)
    if domain == Domain.JEUGD and not problems:
        dated = (
            (row.decision_date, "besluitdatum"),
            (row.start, "startdatum"),
            (row.planned_end, "geplande_einddatum"),
            (row.end, "einddatum"),
        )
        for when, column in dated:
            if when is not None:
                problems += jeugd_extended_problems(birth, when, column)
    return problems


def contract_problems(contracts: MainContracts, row: RuleInput) -> list[Problem]:
    """The provider held a main contract for the profile on the first day of care (the start,
    else the decision), where the catalogue holds contracts for both."""
    first_day = row.start or row.decision_date
    if (
        first_day is None
        or row.provider not in contracts.providers
        or row.profile not in contracts.profiles
        or contract_covers(contracts.periods.get((row.provider, row.profile), []), first_day)
    ):
        return []
    return [
        Problem(
            N_("De aanbieder had op %(day)s geen contract als hoofdaannemer voor dit profiel."),
            "aanbieder",
            {"day": first_day.strftime("%d-%m-%Y")},
        )
    ]
