"""Start and end of care by message: the 305 (*start zorg*) and the 307 (*stop zorg*) of a
provider's client system, answered with a 306 and a 308.

Both apply through the same workflows as the portal's forms, acted by the provider's system
account (``actor.system_actor``), so a trajectory looks the same whichever channel its provider
uses: a 305 is ``trajectories.start_care``, a 307 is ``closure.report_end_of_care`` — an
end-of-care report the gids confirms or returns, exactly as when the provider reports it on the
portal.

Checks, in the standard's order (``incoming.receive`` runs the header and the schema first):

* **Within the message** (any failure refuses the whole message, retour code 0001 in the
  header): each product names its ToewijzingNummer; dates are real dates; the start
  (*Begindatum*) and the end (*Einddatum*) do not lie after the message's date
  (*Dagtekening*): a start or an end is reported when it happened; the end does not lie before
  the start; the reason (*RedenBeeindiging*) is on the domain's list (WMO588 or JZ588, see
  ``closure_rules``); one product per ToewijzingNummer; *StatusAanlevering* is 1. A
  correction (2) or a removal (3) is refused here: a registered start or end is corrected by
  the gids in the application, which has no step that takes back a start of care. Reason 20,
  *tijdelijk beëindigd*, is refused too: a result-oriented trajectory does not pause (R1), it
  ends or it goes on.
* **Across messages**, per product, each failing product with its code (the others 0200):

  ======  ================================================================================
  9019    the number is no toewijzing of this provider in this domain for this client —
          also when it is another provider's trajectory: the same answer as for a number
          that does not exist, so a provider never learns another's trajectory exists;
          also a concept, a trajectory returned to the gids or one cancelled
          (RedenWijziging 13); also a ToewijzingIngangsdatum unlike the toewijzing's
  9339    305/307: Product/Categorie is not the toegewezen product's category
  9340    305/307: Product/Code is not the toegewezen product's code
  9074    305: care started already (any start date: a trajectory starts once);
          307: an end of care was reported already and waits for the gids, or the
          trajectory was closed with another end date or reason
  9307    305: the start lies outside the toewijzing (Ingangsdatum … Einddatum)
  9063    307: care never started (no earlier start, by message or on the portal)
  9069    307: care started on another date than the 307's Begindatum (the key of a start
          is Bsn, ToewijzingNummer and Begindatum)
  ======  ================================================================================

* **Apply**, only when every product passed, in the one transaction of the receipt. A
  workflow that still refuses one product (a rule this module does not mirror) refuses the
  message: ``incoming.receive`` undoes what the handler did for the others.

Decisions written down here:

* **A 305 for a trajectory still *voorgesteld*** accepts it first (``trajectories.accept`` by
  the system account), then starts care. The 302 that accepts a toewijzing may have been lost
  or may come later; a provider that starts care has accepted it. A 302 arriving afterwards
  finds the trajectory accepted (the core's 302 handling answers it).
* **A 307 for a trajectory closed already** with the same end date and reason (the gids
  closed it directly, or closed it for a scaling with reason 37, and the provider's system
  stops its product as the standard asks) is accepted (0200) and changes nothing; so is the
  same stop sent again after the gids confirmed it.
* **A 307 proposes the closure** the gids confirms; the message does not say how the care
  ended in the terms of R10, so the report takes them from the reason: *volgens plan
  beëindigd* (Wmo 19, Jeugd 31) → category a, result achieved; a reason that may end care
  prematurely (death, one-sided or agreed early end, a move, the municipality) → category d,
  result not achieved; a conversion, a change of provider or another domain (37, 38, 39) →
  category c, result not achieved. The gids confirms it, returns it, or closes the trajectory
  with other values (closing answers the open report).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Domain,
    Message,
    Provider,
    Trajectory,
    TrajectoryState,
    User,
)

from .. import closure_rules, trajectories
from ..closure import open_report, report_end_of_care
from ..errors import DomainError
from . import codes
from .actor import system_actor
from .schemas import Schemas
from .store import PartError, last_toewijzing, provider_trajectory
from .xml import Element, Incoming, parse_date, part_of, read, text_of

S = TrajectoryState

# Retour codes (Basisschema, LDT_RetourCode) these messages answer with.
NO_TOEWIJZING = "9019"
CATEGORY_DIFFERS = "9339"
CODE_DIFFERS = "9340"
ALREADY_RECEIVED = "9074"
OUTSIDE_TOEWIJZING = "9307"
NO_EARLIER_MESSAGE = "9063"
NO_CURRENT_START = "9069"

# The states in which a trajectory is a toewijzing its provider may start or stop. A concept was
# never sent; a returned one waits for the gids; a cancelled one was withdrawn (RedenWijziging 13).
ASSIGNED = (S.VOORGESTELD, S.GEACCEPTEERD, S.ACTIEF, S.AFGESLOTEN)
FIRST_DELIVERY = "1"  # StatusAanlevering: eerste aanlevering
TEMPORARY_END = "20"  # RedenBeeindiging: levering is tijdelijk beëindigd


@dataclass(frozen=True)
class CareProduct:
    """One StartProduct or StopProduct as read (``end`` and ``reason`` only for a stop)."""

    part: str  # where it is in the message (``xml.part_of``), for the retour
    number: int | None
    category: str | None
    code: str | None
    assigned_from: date | None
    begin: date | None
    status: str
    end: date | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CareMessage:
    bsn: str
    products: list[CareProduct]


@dataclass(frozen=True)
class ProductCode:
    """A product's retour code and why (Dutch, for the stored message's errors)."""

    part: str
    code: str
    text: str


# --- reading ----------------------------------------------------------------------------------


def date_at(element: Element | None, path: str, problems: list[str], label: str) -> date | None:
    """The date at ``path`` below ``element``; a text that is no date is a problem."""
    raw = None if element is None else text_of(element, path)
    found = parse_date(raw)
    if raw is not None and found is None:
        problems.append(f"{label}: '{raw}' is geen geldige datum.")
    return found


def number_at(element: Element | None, path: str, problems: list[str], label: str) -> int | None:
    """The ToewijzingNummer (LDT_Nummer: at most 9 digits) at ``path``; absent or not a
    number is a problem (each product must name its toewijzing)."""
    raw = None if element is None else text_of(element, path)
    if raw is None:
        problems.append(f"{label}: ToewijzingNummer ontbreekt.")
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        problems.append(f"{label}: '{raw}' is geen geldig ToewijzingNummer.")
        return None
    return int(raw)


def read_care(
    root: Element, *, stop: bool, domain: Domain, dated_on: date
) -> tuple[CareMessage, list[str]]:
    """The client and its products from a 305 (``stop=False``) or a 307, with what breaks the
    rules within the message (Dutch; empty when the message may be judged)."""
    problems: list[str] = []
    client = root.find("{*}Client")
    bsn = (client is not None and text_of(client, "Bsn")) or ""
    if not (len(bsn) == 9 and bsn.isascii() and bsn.isdigit()):
        problems.append("Client/Bsn ontbreekt of bestaat niet uit 9 cijfers.")
    group, item = ("StopProducten", "StopProduct") if stop else ("StartProducten", "StartProduct")
    elements = [] if client is None else client.findall(f"{{*}}{group}/{{*}}{item}")
    if not elements:
        problems.append(f"Het bericht bevat geen {item}.")
    products: list[CareProduct] = []
    for position, element in enumerate(elements, start=1):
        label = f"{item} {position}"
        begin = date_at(element, "Begindatum", problems, f"{label}, Begindatum")
        if begin is None and text_of(element, "Begindatum") is None:
            problems.append(f"{label}: Begindatum ontbreekt.")
        status = text_of(element, "StatusAanlevering") or ""
        if status != FIRST_DELIVERY:
            problems.append(
                f"{label}: alleen StatusAanlevering 1 (eerste aanlevering) wordt verwerkt; "
                "een correctie of verwijdering loopt via de gids."
            )
        product = CareProduct(
            part=part_of(element),
            number=number_at(element, "ToewijzingNummer", problems, label),
            category=text_of(element, "Product/Categorie"),
            code=text_of(element, "Product/Code"),
            assigned_from=date_at(
                element, "ToewijzingIngangsdatum", problems, f"{label}, Ingangsdatum"
            ),
            begin=begin,
            status=status,
            end=date_at(element, "Einddatum", problems, f"{label}, Einddatum") if stop else None,
            reason=text_of(element, "RedenBeeindiging") if stop else None,
        )
        if begin is not None and begin > dated_on:
            problems.append(f"{label}: de Begindatum ligt na de dagtekening van het bericht.")
        if stop:
            problems += _stop_problems(product, label, domain, dated_on)
        products.append(product)
    numbers = [p.number for p in products if p.number is not None]
    if len(numbers) != len(set(numbers)):
        problems.append("Een ToewijzingNummer komt meer dan eens in het bericht voor.")
    return CareMessage(bsn, products), problems


def _stop_problems(product: CareProduct, label: str, domain: Domain, dated_on: date) -> list[str]:
    problems: list[str] = []
    if product.end is None:
        problems.append(f"{label}: Einddatum ontbreekt of is geen geldige datum.")
    elif product.begin is not None and product.end < product.begin:
        problems.append(f"{label}: de Einddatum ligt voor de Begindatum.")
    elif product.end > dated_on:
        problems.append(f"{label}: de Einddatum ligt na de dagtekening van het bericht.")
    if product.reason == TEMPORARY_END:
        problems.append(
            f"{label}: RedenBeeindiging 20 (tijdelijk beëindigd) wordt niet verwerkt: een "
            "resultaatgericht traject pauzeert niet. Meld het einde met een andere reden of "
            "overleg met de gids."
        )
    elif product.reason not in closure_rules.codes_of(domain):
        problems.append(
            f"{label}: RedenBeeindiging '{product.reason or ''}' staat niet op de lijst van "
            f"het domein ({'WMO588' if domain == Domain.WMO else 'JZ588'})."
        )
    return problems


# --- judging ----------------------------------------------------------------------------------


def toewijzing_period(session: Session, trajectory: Trajectory) -> tuple[date, date]:
    """The period of the toewijzing as the provider's system got it: Ingangsdatum and
    Einddatum of the trajectory's latest 301 (an extension moved the end, a scaling shortened
    it); for a trajectory whose toewijzing never went as a message, the planned period (what
    a 301 would have said)."""
    last = last_toewijzing(session, trajectory.id)
    if last is not None:
        product = read(last.body).root.find("{*}Client/{*}ToegewezenProducten/{*}ToegewezenProduct")
        if product is not None:
            first = parse_date(text_of(product, "Ingangsdatum"))
            end = parse_date(text_of(product, "Einddatum"))
            if first is not None and end is not None:
                return first, end
    return trajectory.planned_start, trajectory.planned_end


def assigned_trajectory(
    session: Session, provider: Provider, domain: Domain, number: int | None, bsn: str
) -> Trajectory | None:
    """The trajectory ``number`` names when it is a toewijzing to ``provider`` (the main
    provider, ``store.provider_trajectory``) in ``domain`` for the client ``bsn``, locked for
    the change; otherwise None — whether it does not exist or belongs to someone else, the
    caller answers the same. The row is locked only once it is known to be the provider's
    own, and judged again as locked."""
    found = provider_trajectory(session, provider.id, None if number is None else str(number))
    if found is None or found.domain != domain or found.state not in ASSIGNED:
        return None
    trajectory = trajectories.get_trajectory(session, found.id, for_update=True)
    if trajectory.state not in ASSIGNED or trajectory.resident.bsn != bsn:
        return None
    return trajectory


def assigned_code(trajectory: Trajectory) -> str | None:
    """The product code the toewijzing names: the profile's code when it is a product code (at
    most five characters), else none — the 301 then assigns the category alone
    (``outgoing.toewijzing``)."""
    code = trajectory.profile.code.strip()
    return code if 0 < len(code) <= codes.PRODUCT_CODE_MAX else None


def product_codes(
    session: Session, trajectory: Trajectory, product: CareProduct
) -> list[tuple[str, str]]:
    """The toegewezen product against what the message names (each optional in the message)."""
    found: list[tuple[str, str]] = []
    if product.category is not None and product.category != trajectory.profile.category_code:
        found.append((CATEGORY_DIFFERS, "De productcategorie wijkt af van de toewijzing."))
    expected_code = assigned_code(trajectory)  # none: the toewijzing named the category alone
    if product.code is not None and expected_code is not None and product.code != expected_code:
        found.append((CODE_DIFFERS, "De productcode wijkt af van de toewijzing."))
    first, _last = toewijzing_period(session, trajectory)
    if product.assigned_from is not None and product.assigned_from != first:
        found.append((NO_TOEWIJZING, "De ToewijzingIngangsdatum wijkt af van de toewijzing."))
    return found


UNKNOWN_TEXT = "Het bericht kan niet aan een toewijzing worden gekoppeld."


def judge_start(
    session: Session, provider: Provider, domain: Domain, bsn: str, product: CareProduct
) -> tuple[Trajectory | None, list[tuple[str, str]]]:
    trajectory = assigned_trajectory(session, provider, domain, product.number, bsn)
    if trajectory is None:
        return None, [(NO_TOEWIJZING, UNKNOWN_TEXT)]
    found = product_codes(session, trajectory, product)
    if trajectory.state in (S.ACTIEF, S.AFGESLOTEN):
        found.append((ALREADY_RECEIVED, "De start van de zorg is al eerder gemeld."))
    assert product.begin is not None
    first, last = toewijzing_period(session, trajectory)
    if not first <= product.begin <= last:
        found.append(
            (
                OUTSIDE_TOEWIJZING,
                f"De Begindatum ligt niet binnen de toewijzing ({first.isoformat()} tot en met "
                f"{last.isoformat()}).",
            )
        )
    return trajectory, found


def judge_stop(
    session: Session, provider: Provider, domain: Domain, bsn: str, product: CareProduct
) -> tuple[Trajectory | None, list[tuple[str, str]]]:
    trajectory = assigned_trajectory(session, provider, domain, product.number, bsn)
    if trajectory is None:
        return None, [(NO_TOEWIJZING, UNKNOWN_TEXT)]
    found = product_codes(session, trajectory, product)
    if trajectory.care_start is None:
        found.append((NO_EARLIER_MESSAGE, "De start van de zorg is nog niet gemeld."))
    elif trajectory.care_start != product.begin:
        found.append(
            (
                NO_CURRENT_START,
                f"Er is geen start van de zorg op deze Begindatum; de zorg startte op "
                f"{trajectory.care_start.isoformat()}.",
            )
        )
    elif trajectory.state == S.AFGESLOTEN:
        if (product.end, product.reason) != (trajectory.care_end, trajectory.end_reason_code):
            assert trajectory.care_end is not None
            found.append(
                (
                    ALREADY_RECEIVED,
                    f"Het traject is al afgesloten, met einde zorg "
                    f"{trajectory.care_end.isoformat()} en reden {trajectory.end_reason_code}.",
                )
            )
    elif open_report(session, trajectory) is not None:
        found.append((ALREADY_RECEIVED, "Het einde van de zorg is al eerder gemeld."))
    return trajectory, found


def closure_for(domain: Domain, reason: str) -> tuple[ClosureCategory, bool]:
    """The closure category and result a 307's reason proposes (see the module docstring),
    taken from the domain's closure table: *volgens plan* is the reason with which category a
    may have the result; a reason category d allows is a premature end; the rest is c."""
    if reason in closure_rules.achievable_reasons(domain, ClosureCategory.A):
        return ClosureCategory.A, True
    if reason in closure_rules.reasons_for(domain, ClosureCategory.D):
        return ClosureCategory.D, False
    return ClosureCategory.C, False


# --- the two messages -------------------------------------------------------------------------

Judge = Callable[
    [Session, Provider, Domain, str, CareProduct], tuple[Trajectory | None, list[tuple[str, str]]]
]


@dataclass
class CareOutcome:
    """What judging a 305 or 307 found: the codes of the failing products (empty: every
    product passed and was applied) and the trajectories it names, for the message's link."""

    refusals: list[ProductCode]
    trajectories: list[Trajectory]


def _judge_all(
    session: Session,
    provider: Provider,
    domain: Domain,
    message: CareMessage,
    judge: Judge,
) -> tuple[list[tuple[CareProduct, Trajectory]], list[ProductCode]]:
    passed: list[tuple[CareProduct, Trajectory]] = []
    refusals: list[ProductCode] = []
    for product in message.products:
        trajectory, found = judge(session, provider, domain, message.bsn, product)
        if found:
            refusals += [ProductCode(product.part, code, text) for code, text in found]
        else:
            assert trajectory is not None
            passed.append((product, trajectory))
    return passed, refusals


def start_care_by_message(
    session: Session,
    provider: Provider,
    actor: User,
    domain: Domain,
    message: CareMessage,
    today: date,
) -> CareOutcome:
    """Judge every StartProduct; when all pass, start care on each (accepting a trajectory
    still *voorgesteld* first)."""
    passed, refusals = _judge_all(session, provider, domain, message, judge_start)
    if refusals:
        return CareOutcome(refusals, [t for _p, t in passed])
    for product, trajectory in passed:
        assert product.begin is not None
        try:
            if trajectory.state == S.VOORGESTELD:
                trajectories.accept(session, trajectory, actor)
            trajectories.start_care(session, trajectory, actor, product.begin, today)
        except DomainError as err:  # a rule of the workflow this module does not mirror
            return CareOutcome(
                [ProductCode(product.part, OUTSIDE_TOEWIJZING, str(err))],
                [t for _p, t in passed],
            )
    return CareOutcome([], [t for _p, t in passed])


def stop_care_by_message(
    session: Session,
    provider: Provider,
    actor: User,
    domain: Domain,
    message: CareMessage,
    today: date,
) -> CareOutcome:
    """Judge every StopProduct; when all pass, report the end of care on each for the gids to
    confirm (``closure.report_end_of_care``)."""
    passed, refusals = _judge_all(session, provider, domain, message, judge_stop)
    if refusals:
        return CareOutcome(refusals, [t for _p, t in passed])
    for product, trajectory in passed:
        assert product.end is not None and product.reason is not None
        if trajectory.state == S.AFGESLOTEN:
            continue  # closed already with this end and reason: the 307 confirms it
        category, achieved = closure_for(domain, product.reason)
        try:
            report_end_of_care(
                session,
                trajectory,
                actor,
                care_end=product.end,
                closure_category=category,
                end_reason_code=product.reason,
                result_achieved=achieved,
                today=today,
            )
        except DomainError as err:  # e.g. a report made at the same moment on the portal
            return CareOutcome(
                [ProductCode(product.part, ALREADY_RECEIVED, str(err))],
                [t for _p, t in passed],
            )
    return CareOutcome([], [t for _p, t in passed])


# --- the handlers (``incoming.HANDLERS``) -----------------------------------------------------


def _handle(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    *,
    stop: bool,
) -> list[PartError]:
    care, problems = read_care(
        parsed.root, stop=stop, domain=parsed.domain, dated_on=parsed.dated_on
    )
    if problems:
        return [PartError(codes.TECHNICAL, "Header", text) for text in problems]
    actor = system_actor(session, provider)
    apply = stop_care_by_message if stop else start_care_by_message
    outcome = apply(session, provider, actor, parsed.domain, care, today)
    if outcome.trajectories:
        message.trajectory = outcome.trajectories[0]
    if not outcome.refusals:
        return []
    refused = {r.part for r in outcome.refusals}
    return [
        PartError(codes.ACCEPTED, "Client"),
        *(PartError(r.code, r.part, r.text) for r in outcome.refusals),
        *(PartError(codes.ACCEPTED, p.part) for p in care.products if p.part not in refused),
    ]


def handle_305(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """A 305: start care on every StartProduct, or refuse the message (see the module)."""
    return _handle(session, message, parsed, provider, today, stop=False)


def handle_307(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """A 307: report the end of care on every StopProduct, or refuse the message."""
    return _handle(session, message, parsed, provider, today, stop=True)
