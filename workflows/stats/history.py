"""The history import and export (STATISTICS.md, "Import format for history").

``check_import`` reads the whole file and validates every row before anything is written: any
problem — a wrong header, a bad date, BSN or code, an end before the start, a price that is no
number — and nothing is imported; every bad row is reported with its line number, its column and
a Dutch reason (never the personal value itself). ``apply_import`` then writes everything in the
caller's one transaction and refreshes the statistics feed for the rows it wrote.

Decisions (where the format is silent):

* **Residents** are matched by BSN. A new one gets no name (the format has none: "(naam
  onbekend)"), the birth date and postcode from the file, the wijk most common among known
  residents of the same four-digit postcode, and a household of its own whose single contact
  (*aanspreekpunt*) is the gids named for the import. An existing resident keeps everything.
* **Trajectories**: ``import_id`` is kept on the trajectory, so importing the same key again
  updates it — as long as the import still owns it (below). The state follows from the dates:
  an end → *afgesloten*; a start → *actief*; otherwise *geaccepteerd* (decided, waiting for
  care). The responsible gids is the one named for the import; need type *eindig*; no tariff
  link (the price is the historical one); planned start = the start of care, else the decision
  date, else the request date (never after the planned end). An ``aanmelddatum`` becomes a
  granted request. Each write leaves an event *geïmporteerd* naming who imported (``by``), and
  an audit entry per resident, request and trajectory it made or changed, plus one for the
  import as a whole.
* **Who owns a trajectory.** An import creates and updates only what imports made: a trajectory
  made in the app, or changed in it since its import (an event of any other step), belongs to
  the workflow. A row for such a trajectory that reads exactly as the export writes it changes
  nothing; a row that differs is refused, naming each differing column — a history file is no
  way around the workflow's guards (a closed trajectory's price, an active one's provider). A
  row that matches an imported trajectory changes nothing either (no event, no new version).
* **Export** writes every trajectory past the concept stage in the same format. A trajectory
  that was not imported gets the key ``trajectwijzer-<id>``, which an import recognises (and
  never creates: a key of ours for a trajectory that is not here is refused), so export →
  import is a no-op (tested as a round trip, also for a follow-up whose care starts tomorrow:
  a row that matches changes nothing and is therefore not checked again). Cells a spreadsheet
  would run are neutralised (``workflows.csv_format``); an ``import_id`` that starts like a
  formula is refused. Who exports is named in the audit log.
* **Unreadable files**: a control character (a NUL byte, which PostgreSQL refuses) or a field
  longer than any column needs (the csv module itself stops at 128 KB) is reported at its line
  and column before any rule is checked.
* The rows are written in bulk (``workflows.bulk``: ids drawn up front, then COPY or the
  driver's executemany), not one ORM object per row: an import of 100,000 rows must finish
  within a minute.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from models import (
    ClosureCategory,
    Contract,
    ContractRole,
    Domain,
    EndReason,
    Household,
    Intensity,
    ProductCategory,
    ProfileIntensity,
    Provider,
    Request,
    Resident,
    SupportProfile,
    Trajectory,
    TrajectoryEvent,
    TrajectoryState,
    User,
)

from .. import audit, csv_format
from ..bsn import is_valid_bsn
from ..bulk import allocate_ids, write_rows
from ..catalogue import HOUSEHOLD_HELP_INTENSITIES
from ..closure_rules import ClosureFields, closure_problems
from ..csv_format import looks_like_formula, neutralise
from ..dates import jeugd_decision_end
from ..eligibility import (
    contract_covers,
    jeugd_age_problems,
    jeugd_extended_problems,
    request_date_problems,
    start_before_decision_problems,
)
from ..errors import N_, DomainError, Problem
from ..residents import POSTCODE_RE, normalise_postcode
from . import feed

COLUMNS = (
    "import_id",
    "bsn",
    "geboortedatum",
    "postcode",
    "domein",
    "productcategorie",
    "profiel",
    "intensiteit",
    "aanbieder",
    "aanmelddatum",
    "besluitdatum",
    "startdatum",
    "geplande_einddatum",
    "einddatum",
    "trajectprijs",
    "resultaat_behaald",
    "afsluitcategorie",
    "reden_beeindiging",
)
OWN_KEY = re.compile(r"^trajectwijzer-(\d{1,10})$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PRICE_RE = re.compile(r"^\d{1,8}([.,]\d{1,2})?$")
IMPORT_ACTION = "geimporteerd"
UNKNOWN_NAME = "(naam onbekend)"
MAX_ROWS = 500_000
BATCH = 500
# No column of the format needs more (an import_id has at most 64); the csv module itself stops
# at 128 KB with an error of its own.
FIELD_MAX = 1_000
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TOO_LONG = N_(
    "Dit veld is langer dan %(max)s tekens; zo'n waarde komt in het importformaat niet voor."
)
OWNED = N_(
    "Dit traject wordt in Trajectwijzer zelf bijgehouden; een import mag het niet wijzigen. Deze "
    "waarde wijkt af van de huidige stand: laat de regel weg of neem de waarde over uit een "
    "nieuwe export."
)


@dataclass(frozen=True)
class RowProblem:
    line: int  # the line in the file (the header is line 1); 0 = the file as a whole
    column: str | None
    message: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass
class ImportRow:
    line: int
    import_id: str
    bsn: str
    birth_date: date
    postcode: str | None
    domain: Domain
    category: str
    profile: str
    intensity: Intensity
    provider: str
    request_date: date | None
    decision_date: date | None
    care_start: date | None
    planned_end: date
    care_end: date | None
    price: Decimal
    result_achieved: bool | None
    closure_category: ClosureCategory | None
    end_reason: str | None


@dataclass(frozen=True)
class LiveTrajectory:
    """A trajectory that a row's key names, as the export writes it (``values`` by column)."""

    id: int
    version: int
    request_id: int | None
    owned: bool  # by the workflow: made in the app, or changed there since its import
    values: dict[str, str]


@dataclass
class ImportCheck:
    rows: list[ImportRow]  # to create or update
    problems: list[RowProblem]
    new_profiles: dict[str, tuple[Domain, str, set[Intensity]]]
    new_providers: set[str]
    unchanged: int = 0  # rows that read exactly as the trajectory they name
    existing: dict[str, LiveTrajectory] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    new_residents: int
    new_profiles: int
    new_providers: int


class ImportConflict(DomainError):
    """A trajectory of the file changed in the app between the check and the writing."""


def decode(data: bytes) -> str | None:
    """UTF-8 with or without BOM; None when it is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _date(value: str) -> date | None:
    if not DATE_RE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_import(
    session: Session, text: str, today: date, *, create_missing: bool = False
) -> ImportCheck:
    """Parse and validate the whole file; nothing is written."""
    check = ImportCheck([], [], {}, set())
    problems = check.problems
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    unreadable, keys = _scan(text, delimiter)
    if unreadable:
        problems.extend(unreadable)
        return check
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        problems.append(RowProblem(0, None, N_("Het bestand is leeg.")))
        return check
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        problems.append(
            RowProblem(
                1,
                None,
                N_(
                    "De kopregel klopt niet. Ontbrekende kolommen: %(missing)s; onbekende "
                    "kolommen: %(unknown)s. Verwacht: %(expected)s."
                ),
                {
                    "missing": ", ".join(missing) or "geen",
                    "unknown": ", ".join(u[:40] for u in unknown[:10]) or "geen",
                    "expected": ";".join(COLUMNS),
                },
            )
        )
        return check

    categories = {c.code: c.domain for c in session.scalars(select(ProductCategory))}
    profiles = {
        p.code: (p.domain, p.category_code, set(p.allowed_intensities))
        for p in session.scalars(select(SupportProfile))
    }
    providers = set(session.scalars(select(Provider.agb_code)))
    end_reasons = {(str(r.domain.value), r.code) for r in session.scalars(select(EndReason))}
    catalogue_contracts = _main_contracts(session)
    seen_ids: dict[str, int] = {}
    check.existing = live = _live(session, keys)

    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(check.rows) + len(problems) >= MAX_ROWS:
            problems.append(
                RowProblem(line, None, N_("Te veel regels (meer dan %(max)s)."), {"max": MAX_ROWS})
            )
            break
        if len(values) != len(header):
            problems.append(
                RowProblem(
                    line,
                    None,
                    N_("Deze regel heeft %(found)s velden in plaats van %(expected)s."),
                    {"found": len(values), "expected": len(header)},
                )
            )
            continue
        raw = {name: value.strip() for name, value in zip(header, values, strict=True)}
        row_problems: list[RowProblem] = []

        def bad(column: str, message: str, **params: Any) -> None:
            row_problems.append(RowProblem(line, column, message, params))  # noqa: B023

        def day(column: str, required: bool, raw: dict[str, str] = raw) -> date | None:
            value = raw[column]
            if not value:
                if required:
                    bad(column, N_("Vul een datum in (JJJJ-MM-DD)."))
                return None
            parsed = _date(value)
            if parsed is None:
                bad(column, N_("Geen geldige datum; gebruik JJJJ-MM-DD."))
            elif not date(1900, 1, 1) <= parsed <= today:
                bad(column, N_("De datum ligt in de toekomst of vóór 1900."))
                return None
            return parsed

        import_id = raw["import_id"]
        if not import_id:
            bad("import_id", N_("Vul de import_id in."))
        elif len(import_id) > 64:
            bad("import_id", N_("De import_id is langer dan 64 tekens."))
        elif import_id in seen_ids:
            bad(
                "import_id",
                N_("Deze import_id staat ook al op regel %(other)s."),
                other=seen_ids[import_id],
            )
        elif looks_like_formula(import_id):
            bad(
                "import_id",
                N_(
                    "Een import_id mag niet beginnen met =, +, - of @: een spreadsheet leest "
                    "zo'n waarde als formule."
                ),
            )
        else:
            seen_ids[import_id] = line
        if not row_problems:
            known = live.get(import_id)
            if known is None and OWN_KEY.match(import_id):
                bad(
                    "import_id",
                    N_(
                        "Deze sleutel komt uit een export van Trajectwijzer, maar dat traject "
                        "bestaat hier niet (meer); een import maakt het niet opnieuw aan."
                    ),
                )
            elif known is not None:
                differing = _differences(raw, known)
                if not differing:
                    check.unchanged += 1
                    continue
                if known.owned:
                    problems.extend(RowProblem(line, column, OWNED) for column in differing)
                    continue
        bsn = raw["bsn"]
        if not is_valid_bsn(bsn):
            bad("bsn", N_("Geen geldig BSN (9 cijfers die de elfproef doorstaan)."))
        birth = day("geboortedatum", True)
        postcode = normalise_postcode(raw["postcode"])
        if postcode is not None and not POSTCODE_RE.match(postcode):
            bad("postcode", N_("Een postcode heeft de vorm 1234AB."))
        domain: Domain | None = None
        if raw["domein"] in {d.value for d in Domain}:
            domain = Domain(raw["domein"])
        else:
            bad(
                "domein",
                N_("Onbekend domein '%(value)s': kies wmo of jeugd."),
                value=raw["domein"][:20],
            )
        category = raw["productcategorie"]
        if category not in categories:
            bad(
                "productcategorie",
                N_("Onbekende productcategorie '%(value)s'."),
                value=category[:20],
            )
        elif domain is not None and categories[category] != domain:
            bad(
                "productcategorie",
                N_("Productcategorie %(value)s hoort niet bij dit domein."),
                value=category,
            )
        intensity: Intensity | None = None
        if raw["intensiteit"] in {i.value for i in Intensity}:
            intensity = Intensity(raw["intensiteit"])
        else:
            bad(
                "intensiteit",
                N_("Onbekende intensiteit '%(value)s': kies laag, middel of zwaar."),
                value=raw["intensiteit"][:20],
            )
        profile = raw["profiel"]
        if not profile or len(profile) > 20:
            bad("profiel", N_("Vul een profielcode in (ten hoogste 20 tekens)."))
        elif profile in profiles:
            p_domain, p_category, allowed = profiles[profile]
            if domain is not None and p_domain != domain:
                bad("profiel", N_("Profiel %(value)s hoort bij een ander domein."), value=profile)
            elif categories.get(category) == domain and p_category != category:
                bad(
                    "profiel",
                    N_("Profiel %(value)s hoort bij productcategorie %(category)s."),
                    value=profile,
                    category=p_category,
                )
            elif intensity is not None and intensity not in allowed:
                if profile in check.new_profiles:
                    allowed.add(intensity)
                else:
                    bad(
                        "intensiteit",
                        N_("Intensiteit %(value)s is niet toegestaan voor profiel %(profile)s."),
                        value=intensity.value,
                        profile=profile,
                    )
        elif not create_missing:
            bad(
                "profiel",
                N_("Onbekend profiel '%(value)s' (met --create-missing wordt het toegevoegd)."),
                value=profile,
            )
        elif domain is not None and category in categories and categories[category] == domain:
            allowed_new: set[Intensity] = {intensity} if intensity else set()
            check.new_profiles[profile] = (domain, category, allowed_new)
            profiles[profile] = (domain, category, allowed_new)
        if (
            profile in check.new_profiles
            and category == "01"
            and intensity is not None
            and intensity not in HOUSEHOLD_HELP_INTENSITIES
        ):
            bad("intensiteit", N_("Hulp bij het huishouden kent alleen laag en zwaar."))
        provider = raw["aanbieder"]
        if not (len(provider) == 8 and provider.isascii() and provider.isdigit()):
            bad("aanbieder", N_("Een AGB-code heeft 8 cijfers."))
        elif provider not in providers:
            if create_missing:
                check.new_providers.add(provider)
            else:
                bad(
                    "aanbieder",
                    N_(
                        "Onbekende aanbieder %(value)s (met --create-missing wordt die toegevoegd)."
                    ),
                    value=provider,
                )
        request_date = day("aanmelddatum", False)
        decision_date = day("besluitdatum", False)
        start = day("startdatum", False)
        planned_end = _date(raw["geplande_einddatum"])
        if planned_end is None:
            bad("geplande_einddatum", N_("Geen geldige datum; gebruik JJJJ-MM-DD."))
        end = day("einddatum", False)
        if request_date and decision_date and decision_date < request_date:
            bad("besluitdatum", N_("De besluitdatum ligt vóór de aanmelddatum."))
        if end is not None and not raw["startdatum"]:
            bad("einddatum", N_("Een einddatum vraagt een startdatum."))
        if end is not None and start is not None and end < start:
            bad("einddatum", N_("De einddatum ligt vóór de startdatum."))
        price_text = raw["trajectprijs"].replace(" ", "")
        price = Decimal(0)
        if not PRICE_RE.match(price_text):
            bad(
                "trajectprijs",
                N_("De trajectprijs is geen bedrag; schrijf bijvoorbeeld 1234.56 of 1234,56."),
            )
        else:  # the pattern guarantees a decimal number
            price = Decimal(price_text.replace(",", ".")).quantize(Decimal("0.01"))
        result: bool | None = None
        if raw["resultaat_behaald"] in ("ja", "nee"):
            result = raw["resultaat_behaald"] == "ja"
        elif raw["resultaat_behaald"]:
            bad("resultaat_behaald", N_("Vul ja, nee of niets in."))
        closure: ClosureCategory | None = None
        if raw["afsluitcategorie"] in {c.value for c in ClosureCategory}:
            closure = ClosureCategory(raw["afsluitcategorie"])
        elif raw["afsluitcategorie"]:
            bad("afsluitcategorie", N_("Kies a, b, c of d."))
        reason = raw["reden_beeindiging"] or None
        if reason is not None and domain is not None and (domain.value, reason) not in end_reasons:
            bad(
                "reden_beeindiging",
                N_("Onbekende reden van beëindiging '%(value)s' voor dit domein."),
                value=reason[:10],
            )
        if end is not None:
            if closure is None and not raw["afsluitcategorie"]:
                bad("afsluitcategorie", N_("Een afgesloten traject vraagt een afsluitcategorie."))
            if reason is None:
                bad(
                    "reden_beeindiging",
                    N_("Een afgesloten traject vraagt een reden van beëindiging."),
                )
            if result is None and not raw["resultaat_behaald"]:
                bad("resultaat_behaald", N_("Een afgesloten traject vraagt ja of nee."))
        elif (closure is not None or reason is not None) and not raw["einddatum"]:
            bad("einddatum", N_("Een afsluitcategorie of reden vraagt een einddatum."))
        reported = {p.column for p in row_problems}
        row_problems += [
            RowProblem(line, p.field, p.message, p.params)
            for p in _rule_problems(
                catalogue_contracts,
                today=today,
                birth=birth,
                domain=domain,
                profile=profile,
                provider=provider,
                request_date=request_date,
                decision_date=decision_date,
                start=start,
                planned_end=planned_end,
                end=end,
                closure=closure,
                reason=reason,
                result=result,
            )
            if p.field not in reported
        ]
        if row_problems:
            problems.extend(row_problems)
            continue
        assert birth and domain and intensity and planned_end
        check.rows.append(
            ImportRow(
                line,
                import_id,
                bsn,
                birth,
                postcode,
                domain,
                category,
                profile,
                intensity,
                provider,
                request_date,
                decision_date,
                start,
                planned_end,
                end,
                price,
                result,
                closure,
                reason,
            )  # fmt: skip
        )
    if not check.rows and not check.unchanged and not problems:
        problems.append(RowProblem(0, None, N_("Het bestand bevat geen trajecten.")))
    return check


def _scan(text: str, delimiter: str) -> tuple[list[RowProblem], list[str]]:
    """Read the file once as the csv module does, before any rule: every field must be plain
    text of a sane length — a NUL byte would reach PostgreSQL, which refuses it, and the csv
    module stops at a field of 128 KB. Returns those problems (at most one per line) and the
    keys the rows name, to look up the trajectories they would touch."""
    problems: list[RowProblem] = []
    keys: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    line = 0
    while len(problems) < MAX_ROWS:
        line += 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:  # with newline="", only a field over the module's limit
            column = _long_column(text, reader.line_num, delimiter, header)
            problems.append(RowProblem(line, column, TOO_LONG, {"max": FIELD_MAX}))
            break
        for index, value in enumerate(values):
            column = header[index] if index < len(header) else None
            if CONTROL_RE.search(value):
                message = N_(
                    "Dit veld bevat een besturingsteken (zoals een NUL-byte); dat hoort niet in "
                    "een CSV-bestand. Sla het bestand opnieuw op als CSV (UTF-8)."
                )
                problems.append(RowProblem(line, column, message))
                break
            if len(value) > FIELD_MAX:
                problems.append(RowProblem(line, column, TOO_LONG, {"max": FIELD_MAX}))
                break
        if line == 1:
            header = [h.strip().lower() for h in values]
        elif "import_id" in header and len(values) == len(header):
            keys.append(values[header.index("import_id")].strip())
    return problems, keys


def _long_column(text: str, physical_line: int, delimiter: str, header: list[str]) -> str | None:
    """The column of the field that broke the csv module's limit, where the line shows it: a
    line without quotes splits at the delimiter (with quotes, only the line is named)."""
    lines = io.StringIO(text, newline="")
    content = next(islice(lines, physical_line - 1, None), "")
    if '"' in content:
        return None
    for index, part in enumerate(content.rstrip("\r\n").split(delimiter)):
        if len(part) > FIELD_MAX:
            return header[index] if index < len(header) else None
    return None


def _owned_by_workflow() -> ColumnElement[bool]:
    """Made in the app, or changed there since its import (a step other than the import)."""
    other_step = exists().where(
        TrajectoryEvent.trajectory_id == Trajectory.id, TrajectoryEvent.action != IMPORT_ACTION
    )
    return or_(Trajectory.import_id.is_(None), other_step)


def _live(session: Session, keys: Sequence[str]) -> dict[str, LiveTrajectory]:
    """The trajectories the rows' keys name — an import's key, or ``trajectwijzer-<id>`` for
    one made here — with what the export writes for them, in any state."""
    keys = sorted({k for k in keys if 0 < len(k) <= 64})
    own_ids = sorted({int(m.group(1)) for k in keys if (m := OWN_KEY.match(k))})
    query = _export_query(
        Trajectory.version, Trajectory.request_id, _owned_by_workflow().label("owned")
    )
    found: dict[str, LiveTrajectory] = {}
    lookups = [query.where(Trajectory.import_id.in_(chunk)) for chunk in _chunks(keys)] + [
        query.where(Trajectory.id.in_(chunk), Trajectory.import_id.is_(None))
        for chunk in _chunks(own_ids)
    ]
    for lookup in lookups:
        for row in session.execute(lookup):
            values = dict(zip(COLUMNS, _export_values(row), strict=True))
            found[row.import_id or f"trajectwijzer-{row.id}"] = LiveTrajectory(
                row.id, row.version, row.request_id, bool(row.owned), values
            )
    return found


def _differences(raw: dict[str, str], known: LiveTrajectory) -> list[str]:
    """The columns in which a row differs from what the export writes for its trajectory (an
    amount or a postcode written another way is the same value)."""

    def comparable(column: str, value: str) -> object:
        if column == "trajectprijs":
            amount = value.replace(" ", "")
            if PRICE_RE.match(amount):
                return Decimal(amount.replace(",", "."))
        if column == "postcode":
            return normalise_postcode(value)
        return value

    return [
        column
        for column in COLUMNS[1:]
        if comparable(column, raw[column]) != comparable(column, known.values[column])
    ]


# --- the rules every row meets (the same functions as the live workflows) -----------------

IMPORT_CLOSURE_FIELDS = ClosureFields("afsluitcategorie", "reden_beeindiging", "resultaat_behaald")


@dataclass(frozen=True)
class MainContracts:
    """The main-contractor periods the catalogue holds, by (AGB code, profile code), and the
    providers and profiles it holds any contract for. A provider or profile without any (added
    by an import and kept for history) cannot be checked, so its rows are not."""

    periods: dict[tuple[str, str], list[tuple[date, date | None]]]
    providers: frozenset[str]
    profiles: frozenset[str]


def _main_contracts(session: Session) -> MainContracts:
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


def _rule_problems(
    contracts: MainContracts,
    *,
    today: date,
    birth: date | None,
    domain: Domain | None,
    profile: str,
    provider: str,
    request_date: date | None,
    decision_date: date | None,
    start: date | None,
    planned_end: date | None,
    end: date | None,
    closure: ClosureCategory | None,
    reason: str | None,
    result: bool | None,
) -> list[Problem]:
    """A historical row meets the rules a live trajectory meets (``workflows.eligibility``,
    ``workflows.closure_rules``), each judged at the row's own dates:

    * the request lies after the birth (and, Jeugd, before the 18th birthday); a Jeugd
      trajectory began (request, else decision, else start) before 18 and — verlengde
      jeugdhulp — runs before the 23rd birthday;
    * care starts on or after the decision date;
    * the provider held a main contract for the profile at the start of care (else at the
      decision date) — not necessarily today;
    * category, reason and result go together as the domain's table says.
    """
    problems: list[Problem] = []
    if birth is not None and domain is not None:
        if request_date is not None:  # for Jeugd this is the day it began
            problems += request_date_problems(
                request_date, birth_date=birth, domain=domain, today=today, field="aanmelddatum"
            )
        elif domain == Domain.JEUGD:
            began = [
                (day, column)
                for day, column in ((decision_date, "besluitdatum"), (start, "startdatum"))
                if day is not None
            ]
            for day, column in began[:1]:
                problems += jeugd_age_problems(birth, day, column)
        if domain == Domain.JEUGD and not problems:
            dated = (
                (decision_date, "besluitdatum"),
                (start, "startdatum"),
                (planned_end, "geplande_einddatum"),
                (end, "einddatum"),
            )
            for when, column in dated:
                if when is not None:
                    problems += jeugd_extended_problems(birth, when, column)
    if start is not None:
        problems += start_before_decision_problems(start, decision_date, "startdatum")
    first_day = start or decision_date
    if (
        first_day is not None
        and provider in contracts.providers
        and profile in contracts.profiles
        and not contract_covers(contracts.periods.get((provider, profile), []), first_day)
    ):
        problems.append(
            Problem(
                N_("De aanbieder had op %(day)s geen contract als hoofdaannemer voor dit profiel."),
                "aanbieder",
                {"day": first_day.strftime("%d-%m-%Y")},
            )
        )
    if domain is not None and end is not None and None not in (closure, reason, result):
        assert closure is not None and reason is not None and result is not None
        problems += closure_problems(domain, closure, reason, result, IMPORT_CLOSURE_FIELDS)
    return problems


# --- writing ------------------------------------------------------------------------------


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_import(
    session: Session, check: ImportCheck, gids: User, today: date, *, by: User
) -> ImportResult:
    """Write a checked import in the caller's transaction (the caller commits once). ``gids``
    becomes responsible for what it creates; ``by`` is who imports: named in the events and in
    the audit log (the writes go around the ORM, so its audit hooks would not see them). Raises
    ``ImportConflict`` when a trajectory to update changed in the app since the check."""
    assert check.ok
    session.flush()
    connection = session.connection()
    now = datetime.now(UTC)
    # Still the import's, as checked: locked, so a step in the app waits for this transaction.
    existing = {
        r.import_id: (known.id, known.request_id)
        for r in check.rows
        if (known := check.existing.get(r.import_id)) is not None
    }
    _still_as_checked(
        connection, {check.existing[key].id: check.existing[key].version for key in existing}
    )

    # Catalogue entries the import adds, marked for the beheerder's review.
    profile_table = _table(SupportProfile)
    for code, (domain, category, intensities) in sorted(check.new_profiles.items()):
        profile_id = connection.execute(
            insert(profile_table).returning(profile_table.c.id),
            {"code": code, "name": code, "domain": domain.value, "category_code": category,
             "active": False, "imported": True},
        ).scalar_one()  # fmt: skip
        connection.execute(
            insert(_table(ProfileIntensity)),
            [{"profile_id": profile_id, "intensity": i.value} for i in sorted(intensities)],
        )
    if check.new_providers:
        connection.execute(
            insert(_table(Provider)),
            [
                {"name": f"Aanbieder {agb}", "agb_code": agb, "active": False, "imported": True}
                for agb in sorted(check.new_providers)
            ],
        )
    profile_ids = dict(connection.execute(select(SupportProfile.code, SupportProfile.id)).all())
    provider_ids = dict(connection.execute(select(Provider.agb_code, Provider.id)).all())

    # Residents by BSN; new ones in a household of their own.
    rows = check.rows
    bsns = sorted({r.bsn for r in rows})
    residents: dict[str, tuple[int, date]] = {}
    for chunk in _chunks(bsns):
        for rid, bsn, birth in connection.execute(
            select(Resident.id, Resident.bsn, Resident.birth_date).where(Resident.bsn.in_(chunk))
        ):
            residents[bsn] = (rid, birth)
    first_of: dict[str, ImportRow] = {}
    for r in rows:
        if r.bsn not in residents:
            first_of.setdefault(r.bsn, r)
    new_residents = list(first_of.values())
    resident_ids: list[int] = []
    if new_residents:
        wijk_of = _wijk_by_area(session)
        household_ids = allocate_ids(connection, _table(Household), len(new_residents))
        resident_ids = allocate_ids(connection, _table(Resident), len(new_residents))
        write_rows(
            connection,
            _table(Household),
            [{"id": hid, "gids_id": gids.id, "created_at": now} for hid in household_ids],
        )
        write_rows(
            connection,
            _table(Resident),
            [
                {
                    "id": rid,
                    "bsn": r.bsn,
                    "given_name": "",
                    "family_name": UNKNOWN_NAME,
                    "birth_date": r.birth_date,
                    "postcode": r.postcode,
                    "wijk_id": wijk_of.get((r.postcode or "")[:4]),
                    "household_id": hid,
                    "created_at": now,
                }
                for r, hid, rid in zip(new_residents, household_ids, resident_ids, strict=True)
            ],
        )
        for r, rid in zip(new_residents, resident_ids, strict=True):
            residents[r.bsn] = (rid, r.birth_date)

    def values(r: ImportRow) -> dict[str, Any]:
        planned_start = r.care_start or r.decision_date or r.request_date or r.planned_end
        planned_start = min(planned_start, r.planned_end)
        rid, birth = residents[r.bsn]
        decision_end = r.planned_end
        if r.domain == Domain.JEUGD:
            decision_end = max(jeugd_decision_end(birth), r.planned_end)
        if r.care_end is not None:
            state = TrajectoryState.AFGESLOTEN
        elif r.care_start is not None:
            state = TrajectoryState.ACTIEF
        else:
            state = TrajectoryState.GEACCEPTEERD
        return {
            "resident_id": rid,
            "domain": r.domain.value,
            "profile_id": profile_ids[r.profile],
            "intensity": r.intensity.value,
            "provider_id": provider_ids[r.provider],
            "price": r.price,
            "planned_start": planned_start,
            "planned_end": r.planned_end,
            "decision_date": r.decision_date,
            "decision_end": decision_end,
            "care_start": r.care_start,
            "care_end": r.care_end,
            "state": state.value,
            "closure_category": r.closure_category.value if r.closure_category else None,
            "end_reason_code": r.end_reason,
            "result_achieved": r.result_achieved if r.care_end is not None else None,
            "import_id": r.import_id,
            "updated_at": now,
        }

    # Requests for the rows with a request date and no request yet.
    request_table = _table(Request)
    needs_request = [
        r
        for r in rows
        if r.request_date is not None and existing.get(r.import_id, (0, None))[1] is None
    ]
    request_of: dict[str, int] = {}
    if needs_request:
        ids = allocate_ids(connection, request_table, len(needs_request))
        write_rows(
            connection,
            request_table,
            [
                {
                    "id": rid,
                    "resident_id": residents[r.bsn][0],
                    "gids_id": gids.id,
                    "request_date": r.request_date,
                    "domain": r.domain.value,
                    "question": "Historie-import",
                    "outcome": "toegekend",
                    "outcome_reason": None,
                    "decided_on": r.decision_date or r.request_date,
                    "created_at": now,
                }
                for r, rid in zip(needs_request, ids, strict=True)
            ],
        )
        request_of = {r.import_id: rid for r, rid in zip(needs_request, ids, strict=True)}
    updates_request = [
        {
            "rid": existing[r.import_id][1],
            "day": r.request_date,
            "decided": r.decision_date or r.request_date,
        }
        for r in rows
        if r.request_date is not None and existing.get(r.import_id, (0, None))[1] is not None
    ]
    if updates_request:
        connection.execute(
            update(request_table)
            .where(request_table.c.id == bindparam("rid"))
            .values(request_date=bindparam("day"), decided_on=bindparam("decided")),
            updates_request,
        )

    trajectory_table = _table(Trajectory)
    created_rows = [r for r in rows if r.import_id not in existing]
    updated_rows = [r for r in rows if r.import_id in existing]
    touched: list[int] = []
    if created_rows:
        new_ids = allocate_ids(connection, trajectory_table, len(created_rows))
        write_rows(
            connection,
            trajectory_table,
            [
                {
                    **values(r),
                    "id": tid,
                    "request_id": request_of.get(r.import_id),
                    "gids_id": gids.id,
                    "need_type": "eindig",
                    "uses_zrm": False,
                    "version": 1,
                    "created_at": now,
                }
                for r, tid in zip(created_rows, new_ids, strict=True)
            ],
        )
        touched += new_ids
        _events(connection, new_ids, by, gids, now, "nieuw")
    if updated_rows:
        params = []
        for r in updated_rows:
            tid, request_id = existing[r.import_id]
            params.append(
                {
                    **values(r),
                    "tid": tid,
                    "new_request_id": request_id or request_of.get(r.import_id),
                }
            )
        columns = [c for c in params[0] if c not in ("tid", "new_request_id")]
        connection.execute(
            update(trajectory_table)
            .where(trajectory_table.c.id == bindparam("tid"))
            .values(
                {
                    **{c: bindparam(c) for c in columns},
                    "request_id": bindparam("new_request_id"),
                    "version": trajectory_table.c.version + 1,
                }
            ),
            params,
        )
        touched += [existing[r.import_id][0] for r in updated_rows]
        _events(connection, touched[len(created_rows) :], by, gids, now, "bijgewerkt")
    feed.refresh(session, touched)
    result = ImportResult(
        created=len(created_rows),
        updated=len(updated_rows),
        unchanged=check.unchanged,
        new_residents=len(new_residents),
        new_profiles=len(check.new_profiles),
        new_providers=len(check.new_providers),
    )

    # The audit log: every resident, request and trajectory made or changed, and the import.
    resident_of = {r.import_id: residents[r.bsn][0] for r in rows}
    context = audit.context_of(session)
    actor = audit.AuditContext(
        user_id=by.id,
        role=by.role.value,
        ip=context.ip if context else None,
        endpoint=context.endpoint if context else None,
    )
    made, changed, detail = audit.CREATED, audit.CHANGED, "historie-import"
    entries = [
        actor.entry(made, "inwoner", rid, rid, details=detail, at=now) for rid in resident_ids
    ]
    entries += [
        actor.entry(made, "aanmelding", request_of[r.import_id], resident_of[r.import_id],
                    details=detail, at=now)
        for r in needs_request
    ]  # fmt: skip
    entries += [
        actor.entry(changed, "aanmelding", existing[r.import_id][1], resident_of[r.import_id],
                    details=detail, at=now)
        for r in rows
        if r.request_date is not None and existing.get(r.import_id, (0, None))[1] is not None
    ]  # fmt: skip
    entries += [
        actor.entry(made if i < len(created_rows) else changed, "traject", tid,
                    resident_of[r.import_id], details=detail, at=now)
        for i, (r, tid) in enumerate(zip(created_rows + updated_rows, touched, strict=True))
    ]  # fmt: skip
    summary = (
        f"historie-import: {result.created} nieuw, {result.updated} bijgewerkt, "
        f"{result.unchanged} ongewijzigd, {result.new_residents} nieuwe inwoners"
    )
    entries.append(actor.entry(IMPORT_ACTION, "traject", None, None, details=summary, at=now))
    write_rows(connection, audit.AUDIT_TABLE, entries)
    session.expire_all()
    return result


def _still_as_checked(connection: Any, versions: dict[int, int]) -> None:
    """Lock the trajectories an import is about to update and make sure each is as the check
    saw it: same version, and still no step of the app (a gids who closed one in between
    wins; the import is refused as a whole)."""
    ids = sorted(versions)
    for chunk in _chunks(ids):
        locked = connection.execute(
            select(Trajectory.id, Trajectory.version)
            .where(Trajectory.id.in_(chunk))
            .with_for_update()
        ).all()
        owned = connection.scalars(
            select(Trajectory.id).where(Trajectory.id.in_(chunk), _owned_by_workflow())
        ).all()
        if owned or len(locked) != len(chunk) or any(versions[i] != v for i, v in locked):
            raise ImportConflict(
                N_(
                    "Een traject uit dit bestand is tijdens de import in Trajectwijzer "
                    "gewijzigd. Er is niets geïmporteerd; probeer het opnieuw."
                )
            )


def _events(
    connection: Any, ids: Sequence[int], by: User, gids: User, now: datetime, what: str
) -> None:
    table = _table(TrajectoryEvent)
    event_ids = allocate_ids(connection, table, len(ids))
    write_rows(
        connection,
        table,
        [
            {
                "id": event_id,
                "trajectory_id": tid,
                "user_id": by.id,
                "at": now,
                "action": IMPORT_ACTION,
                "details": f"historie-import ({what}); verantwoordelijk: {gids.email}",
            }
            for event_id, tid in zip(event_ids, ids, strict=True)
        ],
    )


def _wijk_by_area(session: Session) -> dict[str, int]:
    """The wijk most residents of each four-digit postcode area live in."""
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    area_of = func.substr(Resident.postcode, 1, 4).label("area")
    for area, wijk_id, n in session.execute(
        select(area_of, Resident.wijk_id, func.count())
        .where(Resident.postcode.is_not(None), Resident.wijk_id.is_not(None))
        .group_by(area_of, Resident.wijk_id)
    ):
        counts[area][wijk_id] += n
    return {area: c.most_common(1)[0][0] for area, c in counts.items()}


# --- export -------------------------------------------------------------------------------


def _export_query(*extra: Any) -> Select[*tuple[Any, ...]]:
    """Each trajectory with what the export writes for it (its id and key first; ``extra``
    columns after the format's)."""
    return (
        select(
            Trajectory.id,
            Trajectory.import_id,
            Resident.bsn,
            Resident.birth_date,
            Resident.postcode,
            Trajectory.domain,
            SupportProfile.category_code,
            SupportProfile.code,
            Trajectory.intensity,
            Provider.agb_code,
            Request.request_date,
            Trajectory.decision_date,
            Trajectory.care_start,
            Trajectory.planned_end,
            Trajectory.care_end,
            Trajectory.price,
            Trajectory.result_achieved,
            Trajectory.closure_category,
            Trajectory.end_reason_code,
            *extra,
        )
        .join(Resident, Resident.id == Trajectory.resident_id)
        .join(SupportProfile, SupportProfile.id == Trajectory.profile_id)
        .join(Provider, Provider.id == Trajectory.provider_id)
        .outerjoin(Request, Request.id == Trajectory.request_id)
    )


def _export_values(row: Any) -> list[str]:
    """One row of the export, every cell as text a spreadsheet will not run."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "ja" if value else "nee"
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        return str(value.value if hasattr(value, "value") else value)

    key = row.import_id or f"trajectwijzer-{row.id}"
    cells = [key, *[text(v) for v in row[2 : 1 + len(COLUMNS)]]]
    return [neutralise(cell) for cell in cells]


def export_rows(session: Session) -> Iterable[list[str]]:
    """Every trajectory past the concept stage, in the import format (header first)."""
    yield list(COLUMNS)
    query = (
        _export_query()
        .where(Trajectory.state.not_in([s.value for s in feed.NOT_IN_FEED]))
        .order_by(Trajectory.id)
        .execution_options(yield_per=5000)
    )
    for row in session.execute(query):
        yield _export_values(row)


def export_csv(session: Session, out: io.TextIOBase | Any, *, by: User) -> int:
    """Write the export (``;``-separated, UTF-8 with BOM) to ``out``; returns the row count.
    The export holds every client's BSN: one audit entry names ``by``, who exported (in the
    caller's transaction, which commits it once the file is safe)."""
    writer = csv_format.writer(out)
    count = -1
    for values in export_rows(session):
        writer.writerow(values)
        count += 1
    context = audit.context_of(session)
    actor = audit.AuditContext(
        user_id=by.id,
        role=by.role.value,
        ip=context.ip if context else None,
        endpoint=context.endpoint if context else None,
    )
    audit.record_export(session, "traject", "historie-export.csv", rows=count, context=actor)
    return count
