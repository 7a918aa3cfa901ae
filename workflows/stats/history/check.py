"""The history import's check: the whole file is read and every row validated before anything is
written. Any problem — a wrong header, a bad date, BSN or code, an end before the start, a price
that is no number — and nothing is imported; every bad row is reported with its line number, its
column and a Dutch reason (never the personal value itself). A row's problems are listed in the
order of its columns.

Each cell is first read on its own (``columns``); then against the catalogue (a known category,
profile, provider and reason, or — with ``create_missing`` — profiles and providers to add, for
the beheerder's review), against the row's other cells, and against the rules a live trajectory
meets (``rules``). A row whose key names a trajectory that is here already is compared with it
first (``ownership``): a row that reads as the trajectory does changes nothing and is not checked
again; a row for a trajectory the workflow owns that differs is refused at each differing column.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Domain, Intensity, ProductCategory, Provider, SupportProfile

from ...catalogue import HOUSEHOLD_HELP_INTENSITIES
from ...closure_rules import codes_of
from ...errors import N_
from .columns import COLUMN, COLUMNS, TABLE, Invalid
from .common import MAX_ROWS, OWN_KEY, ImportCheck, ImportRow, RowProblem
from .ownership import OWNED, differences, live_trajectories
from .reading import delimiter_of, header_names, header_problem, scan
from .rules import MainContracts, RuleInput, main_contracts, rule_problems

ORDER = {name: index for index, name in enumerate(COLUMNS)}


@dataclass
class Catalogue:
    """What the rows are checked against, read once per import. ``profiles`` grows with the
    profiles the import will add."""

    categories: dict[str, Domain]
    profiles: dict[str, tuple[Domain, str, set[Intensity]]]
    providers: set[str]
    contracts: MainContracts

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        return cls(
            categories={c.code: c.domain for c in session.scalars(select(ProductCategory))},
            profiles={
                p.code: (p.domain, p.category_code, set(p.allowed_intensities))
                for p in session.scalars(select(SupportProfile))
            },
            providers=set(session.scalars(select(Provider.agb_code))),
            contracts=main_contracts(session),
        )


def check_import(
    session: Session, text: str, today: date, *, create_missing: bool = False
) -> ImportCheck:
    """Parse and validate the whole file; nothing is written."""
    check = ImportCheck([], [], {}, set())
    problems = check.problems
    text = text.removeprefix("\ufeff")
    delimiter = delimiter_of(text)
    unreadable, keys = scan(text, delimiter)
    if unreadable:
        problems.extend(unreadable)
        return check
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = header_names(next(reader))
    except StopIteration:
        problems.append(RowProblem(0, None, N_("Het bestand is leeg.")))
        return check
    wrong_header = header_problem(header)
    if wrong_header is not None:
        problems.append(wrong_header)
        return check
    check.existing = live_trajectories(session, keys)
    rows = RowChecker(check, Catalogue.load(session), today, create_missing)
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
        rows.check(line, {name: value.strip() for name, value in zip(header, values, strict=True)})
    if not check.rows and not check.unchanged and not problems:
        problems.append(RowProblem(0, None, N_("Het bestand bevat geen trajecten.")))
    return check


class RowChecker:
    """Checks the rows one by one into ``check``: a good row joins ``check.rows``, a bad one
    adds its problems, one that matches its trajectory counts as unchanged."""

    def __init__(
        self, check: ImportCheck, catalogue: Catalogue, today: date, create_missing: bool
    ) -> None:
        self.result = check
        self.catalogue = catalogue
        self.today = today
        self.create_missing = create_missing
        self.seen_keys: dict[str, int] = {}

    def check(self, line: int, raw: dict[str, str]) -> None:
        row = RowCheck(line, raw, self)
        if not row.key_problems() and self.compared_with_live(row):
            return
        row.read_cells()
        row.against_catalogue()
        row.against_each_other()
        row.against_rules()
        if row.problems:
            self.result.problems.extend(sorted(row.problems, key=column_order))
        else:
            self.result.rows.append(row.import_row())

    def compared_with_live(self, row: RowCheck) -> bool:
        """Whether the row's trajectory is here and settles the row: a row that reads as it
        does is unchanged; one for a trajectory the workflow owns is refused where it differs.
        A key of ours for a trajectory that is not here is refused."""
        key = row.raw["import_id"]
        known = self.result.existing.get(key)
        if known is None:
            if OWN_KEY.match(key):
                row.bad(
                    "import_id",
                    N_(
                        "Deze sleutel komt uit een export van Trajectwijzer, maar dat traject "
                        "bestaat hier niet (meer); een import maakt het niet opnieuw aan."
                    ),
                )
            return False
        differing = differences(row.raw, known)
        if not differing:
            self.result.unchanged += 1
            return True
        if known.owned:
            self.result.problems.extend(RowProblem(row.line, name, OWNED) for name in differing)
            return True
        return False


def column_order(problem: RowProblem) -> int:
    return ORDER.get(problem.column or "", -1)


class RowCheck:
    """One row: its cells as text (``raw``), their values (None where empty or bad), and its
    problems."""

    def __init__(self, line: int, raw: dict[str, str], checker: RowChecker) -> None:
        self.line = line
        self.raw = raw
        self.checker = checker
        self.catalogue = checker.catalogue
        self.values: dict[str, Any] = {}
        self.problems: list[RowProblem] = []

    def bad(self, column: str, message: str, **params: Any) -> None:
        self.problems.append(RowProblem(self.line, column, message, params))

    def unknown(self, column: str) -> None:
        """The cell holds a code the catalogue does not know (the column's message)."""
        self.problems.append(COLUMN[column].problem(self.line, self.raw[column]))

    def key_problems(self) -> bool:
        """Read the import_id: given, short, no formula, once in the file."""
        key = self.raw["import_id"]
        self.read("import_id")
        seen = self.checker.seen_keys
        if not self.problems and key in seen:
            self.bad(
                "import_id",
                N_("Deze import_id staat ook al op regel %(other)s."),
                other=seen[key],
            )
        elif not self.problems:
            seen[key] = self.line
        return bool(self.problems)

    def read(self, name: str) -> None:
        column = COLUMN[name]
        try:
            self.values[name] = column.read(self.raw[name], self.checker.today)
        except Invalid as invalid:
            self.values[name] = None
            self.problems.append(column.problem(self.line, self.raw[name], invalid.message))

    def read_cells(self) -> None:
        for column in TABLE[1:]:
            self.read(column.name)

    def against_catalogue(self) -> None:
        self.category()
        self.profile()
        self.provider()
        reason, domain = self.values["reden_beeindiging"], self.values["domein"]
        if reason is not None and domain is not None and reason not in codes_of(domain):
            self.unknown("reden_beeindiging")

    def category(self) -> None:
        category, domain = self.values["productcategorie"], self.values["domein"]
        if category is None:
            return
        if category not in self.catalogue.categories:
            self.unknown("productcategorie")
        elif domain is not None and self.catalogue.categories[category] != domain:
            self.bad(
                "productcategorie",
                N_("Productcategorie %(value)s hoort niet bij dit domein."),
                value=category,
            )

    def profile(self) -> None:
        """A known profile of the row's domain, category and intensity; with ``create_missing``
        an unknown one is added with the intensities its rows use."""
        profile, domain = self.values["profiel"], self.values["domein"]
        category, intensity = self.raw["productcategorie"], self.values["intensiteit"]
        categories, new_profiles = self.catalogue.categories, self.checker.result.new_profiles
        if profile is None:
            return
        if profile in self.catalogue.profiles:
            self.known_profile(profile)
        elif not self.checker.create_missing:
            self.bad(
                "profiel",
                N_("Onbekend profiel '%(value)s' (met --create-missing wordt het toegevoegd)."),
                value=profile,
            )
        elif domain is not None and category in categories and categories[category] == domain:
            allowed_new: set[Intensity] = {intensity} if intensity else set()
            new_profiles[profile] = (domain, category, allowed_new)
            self.catalogue.profiles[profile] = (domain, category, allowed_new)
        if (
            profile in new_profiles
            and category == "01"
            and intensity is not None
            and intensity not in HOUSEHOLD_HELP_INTENSITIES
        ):
            self.bad("intensiteit", N_("Hulp bij het huishouden kent alleen laag en zwaar."))

    def known_profile(self, profile: str) -> None:
        domain, category, intensity = (
            self.values["domein"],
            self.raw["productcategorie"],
            self.values["intensiteit"],
        )
        p_domain, p_category, allowed = self.catalogue.profiles[profile]
        if domain is not None and p_domain != domain:
            self.bad("profiel", N_("Profiel %(value)s hoort bij een ander domein."), value=profile)
        elif self.catalogue.categories.get(category) == domain and p_category != category:
            self.bad(
                "profiel",
                N_("Profiel %(value)s hoort bij productcategorie %(category)s."),
                value=profile,
                category=p_category,
            )
        elif intensity is not None and intensity not in allowed:
            if profile in self.checker.result.new_profiles:
                allowed.add(intensity)
            else:
                self.bad(
                    "intensiteit",
                    N_("Intensiteit %(value)s is niet toegestaan voor profiel %(profile)s."),
                    value=intensity.value,
                    profile=profile,
                )

    def provider(self) -> None:
        provider = self.values["aanbieder"]
        if provider is None or provider in self.catalogue.providers:
            return
        if self.checker.create_missing:
            self.checker.result.new_providers.add(provider)
        else:
            self.bad(
                "aanbieder",
                N_("Onbekende aanbieder %(value)s (met --create-missing wordt die toegevoegd)."),
                value=provider,
            )

    def against_each_other(self) -> None:
        """The dates in order, and an end together with how it ended."""
        raw, values = self.raw, self.values
        request, decision = values["aanmelddatum"], values["besluitdatum"]
        start, end = values["startdatum"], values["einddatum"]
        if request and decision and decision < request:
            self.bad("besluitdatum", N_("De besluitdatum ligt vóór de aanmelddatum."))
        if end is not None and not raw["startdatum"]:
            self.bad("einddatum", N_("Een einddatum vraagt een startdatum."))
        if end is not None and start is not None and end < start:
            self.bad("einddatum", N_("De einddatum ligt vóór de startdatum."))
        closure, reason = values["afsluitcategorie"], values["reden_beeindiging"]
        if end is not None:
            if closure is None and not raw["afsluitcategorie"]:
                self.bad(
                    "afsluitcategorie", N_("Een afgesloten traject vraagt een afsluitcategorie.")
                )
            if reason is None:
                self.bad(
                    "reden_beeindiging",
                    N_("Een afgesloten traject vraagt een reden van beëindiging."),
                )
            if values["resultaat_behaald"] is None and not raw["resultaat_behaald"]:
                self.bad("resultaat_behaald", N_("Een afgesloten traject vraagt ja of nee."))
        elif (closure is not None or reason is not None) and not raw["einddatum"]:
            self.bad("einddatum", N_("Een afsluitcategorie of reden vraagt een einddatum."))

    def against_rules(self) -> None:
        """The rules of a live trajectory, at the columns no other problem names."""
        values = self.values
        reported = {p.column for p in self.problems}
        rule_input = RuleInput(
            birth=values["geboortedatum"],
            domain=values["domein"],
            profile=self.raw["profiel"],
            provider=self.raw["aanbieder"],
            request_date=values["aanmelddatum"],
            decision_date=values["besluitdatum"],
            start=values["startdatum"],
            planned_end=values["geplande_einddatum"],
            end=values["einddatum"],
            closure=values["afsluitcategorie"],
            reason=values["reden_beeindiging"],
            result=values["resultaat_behaald"],
        )
        self.problems += [
            RowProblem(self.line, p.field, p.message, p.params)
            for p in rule_problems(self.catalogue.contracts, rule_input, self.checker.today)
            if p.field not in reported
        ]

    def import_row(self) -> ImportRow:
        """The row's values, once it has no problem."""
        v = self.values
        return ImportRow(
            self.line, v["import_id"], v["bsn"], v["geboortedatum"], v["postcode"], v["domein"],
            v["productcategorie"], v["profiel"], v["intensiteit"], v["aanbieder"],
            v["aanmelddatum"], v["besluitdatum"], v["startdatum"], v["geplande_einddatum"],
            v["einddatum"], v["trajectprijs"], v["resultaat_behaald"], v["afsluitcategorie"],
            v["reden_beeindiging"],
        )  # fmt: skip
