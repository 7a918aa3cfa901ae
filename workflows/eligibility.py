"""Which dates and references may be stored: one function per rule, used by every path that
stores them — the forms (field checks and, through the workflows, the domain checks), the
workflows themselves and the history import (``stats.history.check_import``). A rule written
here is written nowhere else; each returns ``Problem``s (a Dutch message, the field it belongs
to, which the import renames to its column).

Decisions (docs/domain.md sums them up):

* **Typed dates** lie in 1900–2100 (``EARLIEST_DATE``, ``LATEST_DATE``): outside that a date is
  a typing error, whatever the field.
* **Decision date** = the day the gids sends the trajectory (docs/domain.md). Care cannot start
  before it, so the *planned start may not lie before it*: a concept whose planned start has
  passed gets a new start before it is sent (otherwise its decision would end before it began
  and show as expired at once). Create and edit apply the same rule with today, the earliest day
  it can be sent.
* **Horizon**: the planned start lies at most ``PLANNED_START_HORIZON_MONTHS`` (12) months ahead.
  A decision is for care about to begin; a need that can wait longer is assessed again when it
  is due, and a start in 2099 is a typing error.
* **Contract**: the main provider holds a contract for the profile on the first day of care (the
  planned start, or the actual start). With the planned start on or after the decision date,
  that also means the contract has not ended when the decision is taken. The check is
  ``contract_covers``, the same function for the live workflow (``catalogue.has_contract``) and
  for each historical row (at its start of care, else its decision date — a contract that has
  ended *since* does not matter).
* **Requests**: not in the future, not before the resident's birth, and — registered by a gids
  — not more than ``REQUEST_MAX_AGE_MONTHS`` (12) months back: an older request is history and
  belongs in the history import (which applies the other rules).
* **Jeugd is for under-18s** (Jeugdwet art. 1.1 *jeugdige*): a Jeugd request, a planned start or
  a follow-up lies before the 18th birthday, and a decision runs until the day before it (R6,
  Dronten's practice since 2019). The Jeugdwet's *verlengde jeugdhulp* (continued care up to 23
  for care that began before 18) is not issued as a Jeugd decision here: from 18 support is a Wmo
  trajectory (the scheduler prompts the move half a year ahead; the catalogue has a Wmo profile
  for young adults). Historical rows can hold verlengde jeugdhulp from before 2019, so the import
  accepts a Jeugd trajectory that *began* (request, decision, start) before 18 and whose dates lie
  before the 23rd birthday — and refuses one for a 23-year-old.
* **Extra evaluation**: due between today and the planned end. When the planned end has passed
  and care goes on (R4, *termijn verstreken*) an extra evaluation is still possible, due within
  ``LATE_EVALUATION_DAYS`` (30) days.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from models import Domain

from .dates import add_months, add_weeks, birthday_in_year, jeugd_decision_end
from .errors import N_, Problem

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)
PLANNED_START_HORIZON_MONTHS = 12
REQUEST_MAX_AGE_MONTHS = 12
JEUGD_EXTENDED_AGE = 23
LATE_EVALUATION_DAYS = 30


def _day(value: date) -> str:
    return value.strftime("%d-%m-%Y")


def is_plausible(day: date) -> bool:
    """A typed date within the years anyone means (1900–2100)."""
    return EARLIEST_DATE <= day <= LATEST_DATE


# --- residents and requests ---------------------------------------------------------------------


def birth_date_problems(birth_date: date, today: date, field: str = "birth_date") -> list[Problem]:
    if birth_date > today:
        return [Problem(N_("De geboortedatum ligt in de toekomst."), field)]
    if birth_date < EARLIEST_DATE:
        return [Problem(N_("Controleer de geboortedatum."), field)]
    return []


def jeugd_age_problems(birth_date: date, day: date, field: str | None) -> list[Problem]:
    """Jeugd begins before the 18th birthday: the day of a request, a decision or a start."""
    if day > jeugd_decision_end(birth_date):
        return [
            Problem(
                N_(
                    "De inwoner is op %(day)s 18 jaar of ouder; de Jeugdwet is dan niet van "
                    "toepassing (vanaf 18 jaar valt ondersteuning onder de Wmo)."
                ),
                field,
                {"day": _day(day)},
            )
        ]
    return []


def jeugd_extended_problems(birth_date: date, day: date, field: str) -> list[Problem]:
    """History only: verlengde jeugdhulp ends before the 23rd birthday."""
    if day >= birthday_in_year(birth_date, birth_date.year + JEUGD_EXTENDED_AGE):
        return [
            Problem(
                N_(
                    "De inwoner is op %(day)s 23 jaar of ouder; ook verlengde jeugdhulp loopt "
                    "uiterlijk tot de 23e verjaardag."
                ),
                field,
                {"day": _day(day)},
            )
        ]
    return []


def request_date_problems(
    request_date: date,
    *,
    birth_date: date,
    domain: Domain,
    today: date,
    field: str = "request_date",
) -> list[Problem]:
    """A request (*aanmelding*) is made by someone alive, not in the future, and — for Jeugd —
    before the 18th birthday. For every path: the gids's form and the history import."""
    if request_date > today:
        return [Problem(N_("De aanmelddatum ligt in de toekomst."), field)]
    if request_date < birth_date:
        return [
            Problem(
                N_("De aanmelddatum ligt vóór de geboortedatum van de inwoner (%(day)s)."),
                field,
                {"day": _day(birth_date)},
            )
        ]
    if domain == Domain.JEUGD:
        return jeugd_age_problems(birth_date, request_date, field)
    return []


def recent_request_problems(
    request_date: date, today: date, field: str = "request_date"
) -> list[Problem]:
    """A request a gids registers now came in at most a year ago (older ones are history)."""
    oldest = add_months(today, -REQUEST_MAX_AGE_MONTHS)
    if request_date < oldest:
        return [
            Problem(
                N_(
                    "De aanmelddatum ligt meer dan %(months)s maanden terug (vóór %(day)s); "
                    "een oudere aanmelding hoort in de historie-import."
                ),
                field,
                {"months": REQUEST_MAX_AGE_MONTHS, "day": _day(oldest)},
            )
        ]
    return []


# --- trajectories -------------------------------------------------------------------------------


def decision_end_limit(domain: Domain, birth_date: date) -> date | None:
    """R6: the last day a decision may run — Jeugd the day before the 18th birthday; Wmo has no
    limit of its own (*einde beschikking is einde traject*: the planned end)."""
    return jeugd_decision_end(birth_date) if domain == Domain.JEUGD else None


def decision_end_of(domain: Domain, birth_date: date, planned_end: date) -> date:
    """The end of a new decision: its limit (Jeugd), else the planned end (Wmo)."""
    limit = decision_end_limit(domain, birth_date)
    return limit if limit is not None else planned_end


def planned_end_default(domain: Domain, birth_date: date, start: date, weeks: int) -> date:
    """The planned end when the gids leaves it empty: the tariff's standard duration (``weeks``)
    in whole weeks from the start, capped at the decision's limit (Jeugd: the day before the
    18th birthday) when the start lies within it. The one rule for the gids's form preview, a
    new trajectory (``trajectories.derive``), the follow-up after scaling and the demo seed."""
    end = add_weeks(start, weeks)
    limit = decision_end_limit(domain, birth_date)
    if limit is not None and end > limit >= start:
        return limit
    return end


def planned_start_problems(
    planned_start: date, today: date, field: str = "planned_start"
) -> list[Problem]:
    """Not before the decision date (at the earliest today, the day the trajectory can be sent)
    and not beyond the horizon."""
    if planned_start < today:
        return [
            Problem(
                N_(
                    "De geplande startdatum ligt in het verleden. Het besluit valt op de dag "
                    "dat het traject naar de aanbieder gaat (op zijn vroegst vandaag, %(day)s) "
                    "en de zorg kan niet eerder starten; kies een nieuwe startdatum."
                ),
                field,
                {"day": _day(today)},
            )
        ]
    horizon = add_months(today, PLANNED_START_HORIZON_MONTHS)
    if planned_start > horizon:
        return [
            Problem(
                N_("De geplande startdatum ligt meer dan %(months)s maanden vooruit (na %(day)s)."),
                field,
                {"months": PLANNED_START_HORIZON_MONTHS, "day": _day(horizon)},
            )
        ]
    return []


def start_before_decision_problems(
    start: date, decision_date: date | None, field: str = "care_start"
) -> list[Problem]:
    """Care cannot start before the decision date (the provider's start of care, and every
    historical row)."""
    if decision_date is not None and start < decision_date:
        return [
            Problem(
                N_("De zorg kan niet starten vóór de besluitdatum (%(day)s)."),
                field,
                {"day": _day(decision_date)},
            )
        ]
    return []


def care_end_problems(
    care_start: date, care_end: date, today: date, field: str = "care_end"
) -> list[Problem]:
    """Care ends between its start and today (both may be the day itself): the gids's close
    and the provider's end-of-care report (``closure_rules.close_problems``)."""
    problems: list[Problem] = []
    if care_end < care_start:
        problems.append(
            Problem(
                N_("De einddatum ligt vóór de start van de zorg (%(day)s)."),
                field,
                {"day": care_start.strftime("%d-%m-%Y")},
            )
        )
    if care_end > today:
        problems.append(Problem(N_("De einddatum kan niet in de toekomst liggen."), field))
    return problems


def is_agb_code(value: str) -> bool:
    """A provider's AGB code: exactly eight digits 0-9 (no other Unicode digits)."""
    return len(value) == 8 and value.isascii() and value.isdigit()


def periods_overlap(first: tuple[date, date | None], second: tuple[date, date | None]) -> bool:
    """Whether two periods (from, to or open; both ends count) share a day."""
    (a_from, a_to), (b_from, b_to) = first, second
    return (a_to is None or b_from <= a_to) and (b_to is None or a_from <= b_to)


def contract_covers(periods: Iterable[tuple[date, date | None]], day: date) -> bool:
    """Whether one of the contract periods (valid from, valid to or open) includes ``day``;
    both ends count."""
    return any(start <= day and (end is None or day <= end) for start, end in periods)


# --- evaluations --------------------------------------------------------------------------------


def evaluation_due_problems(
    due_on: date, *, today: date, planned_end: date, field: str = "due_on"
) -> list[Problem]:
    """An extra evaluation is due between today and the planned end; past the planned end
    (care goes on, R4) within the next ``LATE_EVALUATION_DAYS`` days."""
    if due_on < today:
        return [Problem(N_("De datum van de evaluatie kan niet in het verleden liggen."), field)]
    if planned_end >= today and due_on > planned_end:
        return [
            Problem(
                N_(
                    "De evaluatie valt na de geplande einddatum (%(day)s); kies een datum tot "
                    "en met de einddatum."
                ),
                field,
                {"day": _day(planned_end)},
            )
        ]
    latest = today + timedelta(days=LATE_EVALUATION_DAYS)
    if planned_end < today and due_on > latest:
        return [
            Problem(
                N_(
                    "De geplande einddatum (%(end)s) is voorbij; plan de evaluatie binnen "
                    "%(days)s dagen (uiterlijk %(day)s)."
                ),
                field,
                {"end": _day(planned_end), "days": LATE_EVALUATION_DAYS, "day": _day(latest)},
            )
        ]
    return []
