"""Declarations by message: the 323 (*declaratie*) of a provider's client system becomes a
claim under R11 (``workflows.claims.submit_claim``, the portal's claim), and the 325
(*declaratie-antwoord*) answers it line by line.

A declaration is judged per line (*Prestatie*), not as a whole: each accepted line becomes the
trajectory's one claim and is answered 8001, each rejected line names its codes, and the
answer's totals say what was asked and what was accepted. Only a declaration that breaks a rule
within the message (the totals do not add up, a reference twice, a product period upside down)
is refused as a whole: a 325 with only its header, retour code 0001.

The checks per line, in order (every code that applies is named):

======  ======================================================================================
8017    a credit line (DebetCredit C) whose debit line is unknown
9385    a credit line for a claim the gids approved already
0233    a credit line for a claim still waiting for the gids: a claim is not withdrawn by
        message (the provider asks the gids to refuse it)
8021    the product reference was accepted before (the same line sent again)
9338    the ToewijzingNummer is no toewijzing of this provider in this domain — also another
        provider's trajectory: the same answer as a number that does not exist
9384    the toewijzing was withdrawn (cancelled after its 301: RedenWijziging 13)
8187    the client's BSN is not the trajectory's
9339    ProductCategorie is not the toegewezen product's
9340    ProductCode is not the toegewezen product's
9341    Eenheid is not 83 (euro): the toewijzing of a trajectory is an amount
9346    Eenheid is not 83 and IngediendBedrag is not GeleverdVolume × ProductTarief
9319    the ProductPeriode does not lie within the DeclaratiePeriode
9307    the ProductPeriode starts outside the toewijzing
9308    the ProductPeriode ends outside the toewijzing
9326    the trajectory is not closed: a trajectory is claimed once, after its end (R11) —
        also while the gids has not yet confirmed the end of care the 307 reported
9322    the trajectory was claimed already (on the portal or by an earlier line): one claim
        per trajectory, so anything more exceeds the toewijzing
9321    IngediendBedrag is more than R11 allows: the full price with the result (nothing
        extra after the term), pro rata of the planned period without it (or nothing, per
        the municipality's policy)
======  ======================================================================================

A declaration number used before (by this provider, in this domain) refuses the whole
declaration with 9333; its lines are answered 0233 (not judged).

Decisions written down here:

* **The 325 answers the 323 with the automatic checks only.** 8001 means the line was accepted
  as the trajectory's claim (*ingediend*); the gids still approves or refuses it in the
  application, as every claim (the standard has no second answer to a declaration). The
  provider sees that decision on the portal's claims list; finance pays approved claims.
* **Less than allowed is kept as asked** (``submit_claim(amount=…)``); more is refused (9321),
  never lowered silently.
* A line of Eenheid 83 claims IngediendBedrag (in cents) as the amount; GeleverdVolume is not
  used for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models import (
    Claim,
    ClaimState,
    Declaration,
    DeclarationLine,
    Domain,
    Message,
    MessageState,
    Provider,
    Trajectory,
    TrajectoryState,
    User,
)

from .. import trajectories
from ..claims import ClaimPolicy, claim_of, claimable_amount, submit_claim
from ..errors import DomainError
from ..uniqueness import duplicate, refusing_duplicates
from . import codes
from .actor import system_actor
from .care import assigned_code, date_at, number_at, toewijzing_period
from .outgoing import header
from .schemas import Schemas
from .settings import settings_of
from .store import (
    PartError,
    last_toewijzing,
    provider_trajectory,
    queue_outgoing,
    set_errors,
)
from .xml import Element, Incoming, add, message_root, part_of, text_of

S = TrajectoryState
EURO = "83"  # Eenheid: euro's — the unit of a trajectory's toewijzing
CENTS = Decimal(100)

GRANTED = "8001"  # declaratie is volledig toegewezen
NO_DEBIT = "8017"
REFERENCE_USED = "8021"
OTHER_CLIENT = "8187"
NOT_ASSIGNED = "9338"
WITHDRAWN = "9384"
APPROVED_ALREADY = "9385"
CATEGORY_DIFFERS = "9339"
CODE_DIFFERS = "9340"
UNIT_DIFFERS = "9341"
AMOUNT_NOT_VOLUME_TIMES_RATE = "9346"
OUTSIDE_DECLARATION_PERIOD = "9319"
BEGIN_OUTSIDE = "9307"
END_OUTSIDE = "9308"
NOT_STOPPED = "9326"
SUM_EXCEEDS = "9322"
EXCEEDS = "9321"
NUMBER_USED = "9333"

CLAIMED_STATES = (S.VOORGESTELD, S.GEACCEPTEERD, S.ACTIEF, S.AFGESLOTEN, S.GEANNULEERD)


@dataclass(frozen=True)
class Line:
    """One Prestatie as read. Amounts in cents, as the message has them."""

    client: int  # 1-based position of its Client
    position: int  # 1-based position within its Client
    bsn: str
    reference: str
    previous_reference: str | None
    number: int | None
    category: str
    code: str
    period_start: date | None
    period_end: date | None
    volume: int
    unit: str
    rate: int | None
    amount: int
    debit: bool
    element: Element  # the Prestatie, copied into the answer


@dataclass(frozen=True)
class DeclarationMessage:
    number: str
    period_start: date | None
    period_end: date | None
    total: int  # cents, signed (credit negative)
    lines: list[Line]
    clients: list[tuple[str, Element]]  # (bsn, Client element), in order


@dataclass
class LineOutcome:
    line: Line
    codes: list[tuple[str, str]] = field(default_factory=list)  # (code, Dutch text)
    claim: Claim | None = None
    trajectory: Trajectory | None = None  # when the line names one of this provider's

    @property
    def accepted(self) -> bool:
        return self.claim is not None


def _int(raw: str | None, problems: list[str], label: str) -> int:
    if raw is None or not raw.isascii() or not raw.isdigit():
        problems.append(f"{label}: '{raw or ''}' is geen geheel getal.")
        return 0
    return int(raw)


def read_declaration(root: Element) -> tuple[DeclarationMessage, list[str]]:
    """The declaration and its lines from a 323, with what breaks the rules within the message
    (Dutch; empty when the declaration may be judged)."""
    problems: list[str] = []
    declaratie = root.find("{*}Declaratie")
    if declaratie is None:
        return DeclarationMessage("", None, None, 0, [], []), ["Het bericht heeft geen Declaratie."]
    number = text_of(declaratie, "DeclaratieNummer") or ""
    if not (1 <= len(number) <= 12 and number.isascii() and number.isalnum()):
        problems.append("DeclaratieNummer ontbreekt of bevat andere tekens dan letters en cijfers.")
    period_start = date_at(declaratie, "DeclaratiePeriode/Begindatum", problems, "Periode")
    period_end = date_at(declaratie, "DeclaratiePeriode/Einddatum", problems, "Periode")
    if period_start is None or period_end is None or period_end < period_start:
        problems.append("De DeclaratiePeriode ontbreekt of eindigt voor ze begint.")
    total = _int(text_of(declaratie, "TotaalIngediendBedrag/TotaalBedrag"), problems, "Totaal")
    if text_of(declaratie, "TotaalIngediendBedrag/DebetCredit") == "C":
        total = -total
    lines: list[Line] = []
    clients: list[tuple[str, Element]] = []
    for client_position, client in enumerate(declaratie.findall("{*}Clienten/{*}Client"), 1):
        bsn = text_of(client, "Bsn") or ""
        if not (len(bsn) == 9 and bsn.isascii() and bsn.isdigit()):
            problems.append(f"Client {client_position}: Bsn bestaat niet uit 9 cijfers.")
        clients.append((bsn, client))
        elements = client.findall("{*}Prestaties/{*}Prestatie")
        if not elements:
            problems.append(f"Client {client_position} heeft geen prestaties.")
        for position, element in enumerate(elements, 1):
            lines.append(_read_line(element, client_position, position, bsn, problems))
    if not lines:
        problems.append("De declaratie bevat geen prestaties.")
    signed = sum(line.amount if line.debit else -line.amount for line in lines)
    if signed != total:
        problems.append(
            "TotaalIngediendBedrag is niet de som van de IngediendBedragen van de prestaties."
        )
    references = [line.reference for line in lines]
    if len(references) != len(set(references)):
        problems.append("Een ReferentieNummer komt meer dan eens in de declaratie voor.")
    return DeclarationMessage(number, period_start, period_end, total, lines, clients), problems


def _read_line(element: Element, client: int, position: int, bsn: str, problems: list[str]) -> Line:
    label = f"Client {client}, prestatie {position}"
    reference = text_of(element, "ProductReferentie/ReferentieNummer") or ""
    if not 1 <= len(reference) <= 20:
        problems.append(f"{label}: ReferentieNummer ontbreekt.")
    start = date_at(element, "ProductPeriode/Begindatum", problems, label)
    end = date_at(element, "ProductPeriode/Einddatum", problems, label)
    if start is None or end is None or end < start:
        problems.append(f"{label}: de ProductPeriode ontbreekt of eindigt voor ze begint.")
    number = number_at(element, "ToewijzingNummer", problems, label)
    debit_credit = text_of(element, "IngediendBedrag/DebetCredit")
    if debit_credit not in ("D", "C"):
        problems.append(f"{label}: DebetCredit is niet D of C.")
    for name in ("ProductCategorie", "ProductCode", "Eenheid"):
        if text_of(element, name) is None:
            problems.append(f"{label}: {name} ontbreekt.")
    rate_text = text_of(element, "ProductTarief")
    return Line(
        client=client,
        position=position,
        bsn=bsn,
        reference=reference,
        previous_reference=text_of(element, "ProductReferentie/VorigReferentieNummer"),
        number=number,
        category=text_of(element, "ProductCategorie") or "",
        code=text_of(element, "ProductCode") or "",
        period_start=start,
        period_end=end,
        volume=_int(text_of(element, "GeleverdVolume"), problems, f"{label}, GeleverdVolume"),
        unit=text_of(element, "Eenheid") or "",
        rate=None if rate_text is None else _int(rate_text, problems, f"{label}, ProductTarief"),
        amount=_int(text_of(element, "IngediendBedrag/Bedrag"), problems, f"{label}, Bedrag"),
        debit=debit_credit != "C",
        element=element,
    )


# --- judging ----------------------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int(amount * CENTS)


def _euro(cents: int) -> Decimal:
    return (Decimal(cents) / CENTS).quantize(Decimal("0.01"))


def accepted_line(
    session: Session, provider: Provider, domain: Domain, reference: str
) -> DeclarationLine | None:
    return session.scalars(
        select(DeclarationLine).where(
            DeclarationLine.provider_id == provider.id,
            DeclarationLine.domain == domain,
            DeclarationLine.reference == reference,
        )
    ).first()


def _withdrawn(session: Session, trajectory_id: int) -> bool:
    """Whether a cancelled trajectory was a toewijzing: a 301 went out, so its cancellation
    went out as a 301 with RedenWijziging 13 (``outgoing.toewijzing``)."""
    return last_toewijzing(session, trajectory_id) is not None


def _credit_codes(
    session: Session, provider: Provider, domain: Domain, line: Line
) -> list[tuple[str, str]]:
    debit = accepted_line(session, provider, domain, line.previous_reference or line.reference)
    if debit is None:
        return [(NO_DEBIT, "Van deze creditprestatie is geen debetprestatie bekend.")]
    if debit.claim.state == ClaimState.GOEDGEKEURD:
        return [(APPROVED_ALREADY, "De declaratie is al goedgekeurd door de gemeente.")]
    return [
        (
            codes.NOT_JUDGED,
            "Een declaratie wordt niet per bericht ingetrokken; vraag de gids haar af te wijzen.",
        )
    ]


def _owned_trajectory(
    session: Session, provider: Provider, domain: Domain, number: int | None
) -> Trajectory | None:
    """The trajectory the line names when it is this provider's (main provider) in this
    domain and was ever assigned, locked for the claim; otherwise None (the caller answers the
    same whether it does not exist or is another's)."""
    found = provider_trajectory(session, provider.id, None if number is None else str(number))
    if found is None or found.domain != domain or found.state not in CLAIMED_STATES:
        return None
    trajectory = trajectories.get_trajectory(session, found.id, for_update=True)
    if trajectory.state == S.GEANNULEERD and not _withdrawn(session, trajectory.id):
        return None  # cancelled before any toewijzing went out: never assigned
    return trajectory


def judge_line(
    session: Session,
    provider: Provider,
    domain: Domain,
    declaration: DeclarationMessage,
    line: Line,
    policy: ClaimPolicy,
) -> tuple[Trajectory | None, list[tuple[str, str]]]:
    """Every code that applies to ``line`` (empty: the line may become the claim)."""
    if not line.debit:
        return None, _credit_codes(session, provider, domain, line)
    if accepted_line(session, provider, domain, line.reference) is not None:
        return None, [(REFERENCE_USED, "Deze prestatie is al eerder ingediend.")]
    trajectory = _owned_trajectory(session, provider, domain, line.number)
    if trajectory is None:
        return None, [
            (NOT_ASSIGNED, "De prestatie hoort niet bij een toewijzing op dit ToewijzingNummer.")
        ]
    if trajectory.state == S.GEANNULEERD:
        return trajectory, [(WITHDRAWN, "De toewijzing is ingetrokken (RedenWijziging 13).")]
    found: list[tuple[str, str]] = []
    if trajectory.resident.bsn != line.bsn:
        found.append((OTHER_CLIENT, "De prestatie hoort niet bij deze cliënt."))
    if line.category != trajectory.profile.category_code:
        found.append((CATEGORY_DIFFERS, "De productcategorie wijkt af van de toewijzing."))
    expected_code = assigned_code(trajectory)
    if expected_code is not None and line.code != expected_code:
        found.append((CODE_DIFFERS, "De productcode wijkt af van de toewijzing."))
    if line.unit != EURO:
        found.append((UNIT_DIFFERS, "De eenheid van een traject is 83 (euro's)."))
        if line.rate is None or line.amount != line.volume * line.rate:
            found.append(
                (
                    AMOUNT_NOT_VOLUME_TIMES_RATE,
                    "IngediendBedrag is niet GeleverdVolume maal ProductTarief.",
                )
            )
    assert line.period_start is not None and line.period_end is not None
    assert declaration.period_start is not None and declaration.period_end is not None
    if not (
        declaration.period_start <= line.period_start and line.period_end <= declaration.period_end
    ):
        found.append(
            (OUTSIDE_DECLARATION_PERIOD, "De ProductPeriode valt niet in de DeclaratiePeriode.")
        )
    first, last = toewijzing_period(session, trajectory)
    if not first <= line.period_start <= last:
        found.append((BEGIN_OUTSIDE, "De ProductPeriode begint buiten de toewijzing."))
    if not first <= line.period_end <= last:
        found.append((END_OUTSIDE, "De ProductPeriode eindigt buiten de toewijzing."))
    if trajectory.state != S.AFGESLOTEN:
        found.append(
            (
                NOT_STOPPED,
                "Het traject is nog niet afgesloten: declareren kan na het einde van de zorg, "
                "zodra de gids het heeft bevestigd.",
            )
        )
    elif claim_of(session, trajectory) is not None:
        found.append((SUM_EXCEEDS, "Voor dit traject is al gedeclareerd."))
    elif line.unit == EURO:
        maximum, basis = claimable_amount(trajectory, policy)
        if line.amount > _cents(maximum):
            found.append((EXCEEDS, f"Meer dan toegestaan: {basis}"))
    return trajectory, found


@dataclass
class DeclarationOutcome:
    """What judging a 323 found: the declaration's own code (9333 or None) and each line."""

    number_used: bool
    lines: list[LineOutcome]
    declaration: Declaration | None

    @property
    def granted(self) -> int:
        return sum(o.line.amount for o in self.lines if o.accepted)


def claim_by_message(
    session: Session,
    message: Message,
    provider: Provider,
    actor: User,
    domain: Domain,
    declaration: DeclarationMessage,
    today: date,
    policy: ClaimPolicy,
) -> DeclarationOutcome:
    """Record the declaration (its number once per provider and domain), then judge each line
    and make each accepted line the trajectory's claim. Two declarations at the same moment:
    the trajectory's lock and the unique constraints let one claim through."""
    record = Declaration(
        message_id=message.id,
        provider_id=provider.id,
        domain=domain,
        number=declaration.number,
        submitted=_euro(declaration.total),
        granted=Decimal("0.00"),
    )
    used = session.scalar(
        select(
            exists().where(
                Declaration.provider_id == provider.id,
                Declaration.domain == domain,
                Declaration.number == declaration.number,
            )
        )
    )
    if used:
        return DeclarationOutcome(True, [LineOutcome(line) for line in declaration.lines], None)
    try:
        with refusing_duplicates(session):
            session.add(record)
    except DomainError:  # the same number at the same moment
        return DeclarationOutcome(True, [LineOutcome(line) for line in declaration.lines], None)
    outcomes: list[LineOutcome] = []
    for line in declaration.lines:
        outcome = LineOutcome(line)
        outcomes.append(outcome)
        trajectory, outcome.codes = judge_line(session, provider, domain, declaration, line, policy)
        outcome.trajectory = trajectory
        if outcome.codes:
            continue
        assert trajectory is not None
        try:
            with refusing_duplicates(session):
                claim = submit_claim(
                    session, trajectory, actor, today, policy, amount=_euro(line.amount)
                )
                record.lines.append(
                    DeclarationLine(
                        provider_id=provider.id,
                        domain=domain,
                        reference=line.reference,
                        claim_id=claim.id,
                        amount=_euro(line.amount),
                    )
                )
                session.flush()
        except DomainError as err:  # claimed, or the reference sent, at the same moment
            same_reference = duplicate("uq_declaration_lines_reference") in err.problems
            outcome.codes = [(REFERENCE_USED if same_reference else SUM_EXCEEDS, str(err))]
            continue
        outcome.claim = claim
    record.granted = _euro(sum(o.line.amount for o in outcomes if o.accepted))
    session.flush()
    return DeclarationOutcome(False, outcomes, record)


# --- the answer (325) -------------------------------------------------------------------------


def _amount(parent: Element, name: str, cents: int, total: bool) -> None:
    holder = add(parent, name)
    add(holder, "TotaalBedrag" if total else "Bedrag", abs(cents), basis=True)
    add(holder, "DebetCredit", "C" if cents < 0 else "D", basis=True)


def _retour_codes(parent: Element, found: list[str]) -> None:
    holder = add(parent, "RetourCodes")
    for code in dict.fromkeys(found):  # each once, in order
        add(holder, "RetourCode", code)


def line_codes(outcome: LineOutcome, number_used: bool) -> list[str]:
    """What the answer says of a line: 8001 accepted, its codes rejected, 0233 not judged."""
    if number_used:
        return [codes.NOT_JUDGED]
    if outcome.accepted:
        return [GRANTED]
    return [code for code, _text in outcome.codes]


def add_answer_header(
    header: Element, incoming: Incoming, schemas: Schemas, found: list[str]
) -> None:
    """The 325's own part of the header, after the common fields (BerichtCode … XsdVersie):
    which declaration it answers and with which schema versions, and its header codes."""
    named = add(header, "DeclaratieIdentificatie")
    add(named, "Identificatie", incoming.identification, basis=True)
    add(named, "Dagtekening", incoming.dated_on, basis=True)
    default_basis, default_message = schemas.versions(incoming.domain, incoming.kind)
    versions = add(header, "XsdVersieDeclaratie")
    add(
        versions,
        "BasisschemaXsdVersie",
        text_of(incoming.root, "Header/XsdVersie/BasisschemaXsdVersie") or default_basis,
        basis=True,
    )
    add(
        versions,
        "BerichtXsdVersie",
        text_of(incoming.root, "Header/XsdVersie/BerichtXsdVersie") or default_message,
        basis=True,
    )
    _retour_codes(header, found)


def add_answer(root: Element, declaration: DeclarationMessage, outcome: DeclarationOutcome) -> None:
    """The DeclaratieAntwoord: the totals, every client and line with its codes."""
    answer = add(root, "DeclaratieAntwoord")
    add(answer, "DeclaratieNummer", declaration.number)
    _amount(answer, "TotaalIngediendBedrag", declaration.total, total=True)
    _amount(answer, "TotaalToegekendBedrag", outcome.granted, total=True)
    by_client: dict[int, list[LineOutcome]] = {}
    for line_outcome in outcome.lines:
        by_client.setdefault(line_outcome.line.client, []).append(line_outcome)
    clients = add(answer, "Clienten")
    for position, (bsn, _element) in enumerate(declaration.clients, start=1):
        client = add(clients, "Client")
        add(client, "Bsn", bsn)
        prestaties = add(client, "Prestaties")
        for line_outcome in by_client.get(position, []):
            _add_line(prestaties, line_outcome, line_codes(line_outcome, outcome.number_used))
        _retour_codes(client, [codes.NOT_JUDGED if outcome.number_used else codes.ACCEPTED])
    if outcome.number_used:
        declaration_codes = [NUMBER_USED]
    elif all(o.accepted for o in outcome.lines):
        declaration_codes = [GRANTED]
    else:
        declaration_codes = [codes.ACCEPTED]
    _retour_codes(answer, declaration_codes)


def _add_line(parent: Element, outcome: LineOutcome, found: list[str]) -> None:
    line = outcome.line
    assert line.period_start is not None and line.period_end is not None
    prestatie = add(parent, "Prestatie")
    reference = add(prestatie, "ProductReferentie")
    add(reference, "ReferentieNummer", line.reference, basis=True)
    if line.previous_reference is not None:
        add(reference, "VorigReferentieNummer", line.previous_reference, basis=True)
    add(prestatie, "ToewijzingNummer", line.number)
    add(prestatie, "ProductCategorie", line.category)
    add(prestatie, "ProductCode", line.code)
    period = add(prestatie, "ProductPeriode")
    add(period, "Begindatum", line.period_start, basis=True)
    add(period, "Einddatum", line.period_end, basis=True)
    add(prestatie, "GeleverdVolume", line.volume)
    add(prestatie, "Eenheid", line.unit)
    if line.rate is not None:
        add(prestatie, "ProductTarief", line.rate)
    _amount(prestatie, "IngediendBedrag", line.amount if line.debit else -line.amount, False)
    _retour_codes(prestatie, found)


# --- the handler (``incoming.HANDLERS``) and the answer's builder (``RETOUR_BUILDERS``) --------

# Where the handler leaves its judgement for the answer's builder, per incoming message id: the
# builder runs after the handler in the same session (``incoming.receive``) and takes it out.
OUTCOMES_INFO = "berichten.declaraties"


def handle_323(
    session: Session,
    message: Message,
    parsed: Incoming,
    provider: Provider,
    today: date,
    schemas: Schemas,
) -> list[PartError]:
    """A 323: every accepted line becomes its trajectory's claim (see the module). Only a
    declaration refused as a whole reports an error to ``receive`` (which undoes the handler's
    work); the lines' codes go to the answer."""
    declaration, problems = read_declaration(parsed.root)
    if problems:
        return [PartError(codes.TECHNICAL, "Header", text) for text in problems]
    policy = settings_of(session).claim_policy
    actor = system_actor(session, provider)
    outcome = claim_by_message(
        session, message, provider, actor, parsed.domain, declaration, today, policy
    )
    if outcome.number_used:
        return [PartError(NUMBER_USED, "Declaratie", "Dit declaratienummer is al gebruikt.")]
    owned = [o.trajectory for o in outcome.lines if o.trajectory is not None]
    if owned:
        message.trajectory = owned[0]
    session.info.setdefault(OUTCOMES_INFO, {})[message.id] = (declaration, outcome)
    return []


def line_errors(outcome: DeclarationOutcome) -> list[PartError]:
    """The rejected lines' codes, for the stored message (``Message.errors``)."""
    return [
        PartError(code, part_of(o.line.element), text)
        for o in outcome.lines
        if not o.accepted
        for code, text in o.codes
    ]


def answer_323(
    session: Session,
    incoming: Message,
    parsed: Incoming,
    errors: Sequence[PartError],
    schemas: Schemas,
    today: date,
) -> Message:
    """Queue the 325 that answers ``incoming``: from the handler's judgement when it judged the
    lines; the declaration with 9333 and its lines not judged when its number was used; else
    only the header with 0001 and the codes that refused it (the header, the rules within the
    message). A declaration without any accepted line is stored as refused, with the lines'
    codes; one with some accepted lines as processed, with the others' codes."""
    judged = session.info.get(OUTCOMES_INFO, {}).pop(incoming.id, None)
    declaration: DeclarationMessage | None = None
    outcome: DeclarationOutcome | None = None
    if judged is not None:
        declaration, outcome = judged
        rejected = line_errors(outcome)
        set_errors(incoming, rejected)
        if not any(o.accepted for o in outcome.lines):
            incoming.state = MessageState.GEWEIGERD
    elif any(e.code == NUMBER_USED for e in errors):
        declaration, _problems = read_declaration(parsed.root)
        outcome = DeclarationOutcome(True, [LineOutcome(line) for line in declaration.lines], None)
    settings = settings_of(session)

    def build(identification: str) -> Element:
        root = message_root(parsed.domain, "325")
        head = header(
            root,
            parsed.domain,
            "325",
            sender=settings.municipality_code,
            receiver=incoming.provider.agb_code,
            identification=identification,
            dated_on=today,
            schemas=schemas,
        )
        if declaration is None or outcome is None:
            refusing = [e.code for e in errors if e.part in ("", "Header")]
            add_answer_header(head, parsed, schemas, [codes.TECHNICAL, *refusing])
            return root
        add_answer_header(head, parsed, schemas, [codes.ACCEPTED])
        add_answer(root, declaration, outcome)
        return root

    return queue_outgoing(
        session,
        provider=incoming.provider,
        kind="325",
        domain=parsed.domain,
        dated_on=today,
        build=build,
        schemas=schemas,
        trajectory=incoming.trajectory,
        answers=incoming,
    )
