"""A double submit gets the answer its check gives, never a 500.

Every workflow that creates a record first checks that it does not exist yet ("there is already
a resident with this BSN", "an extra evaluation is already planned"). Two requests at the same
moment — ten tabs, a double click, a retry after a slow answer — can both pass that check before
either has committed; the database's unique constraint then stops the second, as an
``IntegrityError``. ``refusing_duplicates`` turns that error into the ``DomainError`` the check
itself raises, so the person sees the same Dutch message at the same field, keeps what they
typed, and exactly one record exists.

``DUPLICATES`` says, for every unique constraint or unique index a person can run into, which
problem to show; the workflows' own checks take their problem from it too (one message, one
place). ``NOT_BY_PEOPLE`` lists the others with the reason no form can hit them;
tests/workflows/test_uniqueness.py fails when a unique constraint is in neither, so a new one is
never forgotten. A violation of a constraint that is not in ``DUPLICATES`` is a bug and stays an
error.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models import Base

from .errors import N_, DomainError, Problem

DUPLICATES: dict[str, Problem] = {
    "uq_residents_bsn": Problem(N_("Er is al een inwoner met dit BSN."), "bsn"),
    "uq_users_email": Problem(N_("Er bestaat al een account met dit e-mailadres."), "email"),
    "uq_wijken_name": Problem(N_("Er is al een wijk of kern met deze naam."), "name"),
    "uq_access_requests_reference": Problem(
        N_("Er is al een inzageverzoek met dit zaaknummer."), "reference"
    ),
    "uq_claims_trajectory_id": Problem(N_("Voor dit traject is al gedeclareerd.")),
    # A provider's client system meets these two (``workflows.berichten.claims``): the
    # declaration answer names them as retour codes 9333 and 8021.
    "uq_declarations_number": Problem(N_("Dit declaratienummer is al eerder ingediend.")),
    "uq_declaration_lines_reference": Problem(
        N_("Deze prestatie (productreferentie) is al eerder ingediend.")
    ),
    "uq_evaluations_open_extra": Problem(
        N_(
            "Er staat al een extra evaluatie gepland voor dit traject. Een nieuwe kan worden "
            "gepland zodra die is gehouden."
        )
    ),
    "one_score_per_result": Problem(N_("Deze evaluatie is al ingediend.")),
    "one_score_per_domain": Problem(N_("Deze evaluatie is al ingediend.")),
    "uq_scaling_requests_open": Problem(
        N_("Er is al een verzoek om op- of afschalen dat op een besluit van de gids wacht.")
    ),
    "uq_end_of_care_reports_open": Problem(
        N_("Er is al een melding einde zorg die op de gids wacht.")
    ),
    "uq_api_tokens_open_name": Problem(
        N_("Deze manager heeft al een geldig token met deze naam. Kies een andere naam."), "name"
    ),
    "uq_message_tokens_open_name": Problem(
        N_("Deze aanbieder heeft al een geldig token met deze naam. Kies een andere naam."), "name"
    ),
    "uq_providers_agb_code": Problem(N_("Er is al een aanbieder met deze AGB-code."), "agb_code"),
    "uq_support_profiles_code": Problem(N_("Er is al een profiel met deze code."), "code"),
    "uq_support_profiles_product_code": Problem(
        N_("Er is al een profiel met deze productcode in deze productcategorie."), "product_code"
    ),
    "one_version_per_start": Problem(
        N_("Er is al een tariefversie voor deze intensiteit die op deze datum ingaat."),
        "valid_from",
    ),
    "one_per_domain_month": Problem(
        N_("Deze maand is voor dit domein al als uitschieter gemarkeerd."), "month"
    ),
    "one_comment_per_year_domain_figure": Problem(
        N_(
            "Iemand anders heeft intussen een toelichting bij dit cijfer opgeslagen. Bekijk "
            "die en pas haar zo nodig aan."
        )
    ),
    "one_budget_per_year_category": Problem(
        N_(
            "Voor dit jaar en deze productcategorie is intussen een begroting vastgelegd. "
            "Bekijk die en pas haar zo nodig aan."
        ),
        "category_code",
    ),
    "pk_population_figures": Problem(
        N_(
            "Voor dit jaar zijn intussen bevolkingscijfers vastgelegd. Bekijk ze en pas ze zo "
            "nodig aan."
        ),
        "year",
    ),
}

# Unique constraints no form of a person can run into, and why.
NOT_BY_PEOPLE: dict[str, str] = {
    "uq_api_tokens_token_hash": "the hash of 256 random bits",
    "uq_message_tokens_token_hash": "the hash of 256 random bits (workflows.berichten.tokens)",
    "uq_invitations_token_hash": "the hash of 256 random bits (workflows.invitations)",
    "one_baseline_per_domain": "the start of care takes one score per ZRM domain, a dict",
    "pk_user_sessions": "the hash of a random session key (workflows.sessions)",
    "uq_tasks_dedupe": "tasks are inserted with ON CONFLICT DO NOTHING (workflows.inbox)",
    "uq_stats_trajectories_source": "the statistics feed upserts (workflows.stats.feed)",
    "uq_stats_requests_source": "the statistics feed replaces (workflows.stats.feed)",
    "uq_trajectories_import_id": "the history import matches on it, one transaction per file",
    "pk_stats_monthly_counts": "the statistics feed upserts (workflows.stats.feed)",
    "pk_stats_filter_counts": "the statistics feed upserts (workflows.stats.feed)",
    "pk_stats_duration_counts": "the statistics feed upserts (workflows.stats.kept)",
    "pk_stats_result_counts": "the statistics feed upserts (workflows.stats.kept)",
    "pk_stats_repeat_counts": "the statistics feed upserts (workflows.stats.kept)",
    "pk_stats_year_counts": "the statistics feed upserts (workflows.stats.kept)",
    "pk_stats_finance_counts": "the statistics feed upserts (workflows.stats.money)",
    "pk_product_categories": "reference data, inserted by the migrations",
    "pk_end_reasons": "reference data, inserted by the migrations",
    "pk_change_reasons": "reference data, inserted by the migrations",
    "pk_profile_intensities": "written with its profile by the catalogue, never on its own",
    "uq_verzoeken_reference": "a provider's message; checked under the provider's lock (9347)",
    "uq_messages_identification": (
        "messages come from client systems, not forms: workflows.berichten.incoming answers a "
        "repeated identification from the first message, also when two arrive at once"
    ),
}


def duplicate(constraint: str) -> Problem:
    """The problem a workflow's own existence check reports for ``constraint``."""
    return DUPLICATES[constraint]


@contextmanager
def refusing_duplicates(session: Session) -> Iterator[None]:
    """Insert what the block adds in a savepoint; if a unique constraint in ``DUPLICATES``
    refuses it, raise that constraint's ``DomainError`` instead (the session stays usable;
    the view rolls back as after any refused form)."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as err:
        name = violated_constraint(err)
        if name not in DUPLICATES:
            raise
        raise DomainError.from_problems([DUPLICATES[name]]) from None


# SQLite names the columns ("UNIQUE constraint failed: residents.bsn") or, for an index on
# expressions, the index ("UNIQUE constraint failed: index 'uq_tasks_dedupe'").
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)$")
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(\w+)'$")


def violated_constraint(err: IntegrityError) -> str | None:
    """The name of the unique constraint or index ``err`` reports, or None (another kind of
    integrity error, or one that cannot be told apart)."""
    diag = getattr(err.orig, "diag", None)  # psycopg: PostgreSQL names the constraint
    if diag is not None:
        sqlstate = getattr(err.orig, "sqlstate", None)
        return diag.constraint_name if sqlstate == "23505" else None
    message = str(err.orig)
    if match := _SQLITE_INDEX.search(message):
        return match.group(1)
    if match := _SQLITE_COLUMNS.search(message):
        pairs = [item.split(".", 1) for item in match.group(1).split(", ")]
        tables = {table for table, _column in pairs}
        if len(tables) == 1:
            return _constraint_on(tables.pop(), {column for _table, column in pairs})
    return None


def unique_constraints() -> dict[str, tuple[str, frozenset[str]]]:
    """Every unique constraint, unique index and natural primary key (any but a lone ``id``)
    of the schema: name → (table, columns)."""
    found: dict[str, tuple[str, frozenset[str]]] = {}
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
                columns = frozenset(c.name for c in constraint.columns)
                if isinstance(constraint, UniqueConstraint) or columns != {"id"}:
                    found[str(constraint.name)] = (table.name, columns)
        for index in table.indexes:
            if index.unique:
                found[str(index.name)] = (table.name, frozenset(c.name for c in index.columns))
    return found


def _constraint_on(table: str, columns: set[str]) -> str | None:
    names = [
        name
        for name, (owner, covered) in unique_constraints().items()
        if owner == table and covered == columns
    ]
    return names[0] if len(names) == 1 else None
