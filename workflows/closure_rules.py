"""R10: which reason care ended (*RedenBeeindiging*) and which result go with each closure
category — one table per domain, used by every path that closes a trajectory.

The paths: the gids's close (``trajectories.close``, which a confirmed end-of-care report and an
accepted scaling request also go through), the provider's end-of-care report
(``closure.report_end_of_care`` and its confirmation) and the history import
(``stats.history.check_import``). The close and end-of-care pages show the same table to the
user (``rows``), so what the form offers and what the workflow accepts cannot drift apart.

The two code lists (WMO588 and JZ588) say the same things under different numbers, so the
tables below are the same table twice: Wmo 19 = Jeugd 31 *volgens plan*, Wmo 21/22/23 = Jeugd
32/33/34 *voortijdig*, Wmo 31 = Jeugd 35 *verhuizing / externe omstandigheden*; 02, 36, 37, 38
and 39 are equal (``tests/workflows/test_closure_rules.py`` checks the correspondence).

Reasoning, per category (seed 004 L3594–3603) and code:

* **a. Afgerond, terug in het netwerk** — care is over and the resident manages with their own
  network: only *volgens plan beëindigd* (19/31). Any other reason says care stopped for another
  cause than the plan (then it is b, c or d). The result may be achieved or not: a trajectory can
  run its agreed course and end with a result reached only in part; the result field records that
  honestly (and the claim follows it, R11).
* **b. Overgedragen aan het voorveld** — the resident continues with general (non-decision)
  support: *volgens plan* (19/31), or *geïnitieerd door de gemeente* (36) when the municipality's
  reassessment moves the support to the voorveld.
* **c. Doorverwezen naar vervolghulp (met beschikking)** — another decision follows: *volgens
  plan* (the planned step is done, the next step is new care), *omgezet* (37, scaling up or down,
  R9), *overstap naar een andere aanbieder* (38), *uitstroom naar een ander domein* (39, e.g.
  Jeugd → Wmo at 18, or the Wlz), and *verhuizing* (31/35) when the resident is handed over to
  care in the new municipality, which issues its own decision.
* **d. Voortijdig afgesloten** — care stopped before it was meant to, with nothing after it:
  *overlijden* (02), *voortijdig door cliënt / door aanbieder / in overeenstemming* (21–23 /
  32–34), *verhuizing / externe omstandigheden* (31/35) and *geïnitieerd door de gemeente* (36).
  Not 37, 38 or 39: care that continues elsewhere is c. Not *volgens plan*: that is no premature
  end.

**Result achieved** (R1: the result decides the end) is possible only with *volgens plan*: every
other reason names the cause that ended care instead — death, someone stopping early, a move, the
municipality, a conversion, a transfer, another domain — so the result did not end it. Scaling in
particular is not the result (``workflows.scaling``), and a premature end (d) never is. Where the
result was reached, the reason is *volgens plan*.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from models import ClosureCategory, Domain, Trajectory

from .eligibility import care_end_problems
from .errors import N_, Problem

A, B, C, D = ClosureCategory.A, ClosureCategory.B, ClosureCategory.C, ClosureCategory.D
YES_OR_NO: frozenset[bool] = frozenset({True, False})
NO: frozenset[bool] = frozenset({False})

# domain → category → reason code → the results allowed with it. A code missing under a
# category does not go with that category.
CLOSURE_TABLE: dict[Domain, dict[ClosureCategory, dict[str, frozenset[bool]]]] = {
    Domain.WMO: {
        A: {"19": YES_OR_NO},
        B: {"19": YES_OR_NO, "36": NO},
        C: {"19": YES_OR_NO, "31": NO, "37": NO, "38": NO, "39": NO},
        D: {"02": NO, "21": NO, "22": NO, "23": NO, "31": NO, "36": NO},
    },
    Domain.JEUGD: {
        A: {"31": YES_OR_NO},
        B: {"31": YES_OR_NO, "36": NO},
        C: {"31": YES_OR_NO, "35": NO, "37": NO, "38": NO, "39": NO},
        D: {"02": NO, "32": NO, "33": NO, "34": NO, "35": NO, "36": NO},
    },
}


# The reasons a resident's departure gives, per domain (``workflows.departures``): a death is
# *overlijden*, a move out of the municipality *verhuizing / externe omstandigheden*.
DEATH_REASON: dict[Domain, str] = {Domain.WMO: "02", Domain.JEUGD: "02"}
MOVE_REASON: dict[Domain, str] = {Domain.WMO: "31", Domain.JEUGD: "35"}


class ClosureFields(NamedTuple):
    """The names the three values have where they are typed (form fields, import columns)."""

    category: str = "closure_category"
    reason: str = "end_reason_code"
    result: str = "result_achieved"


FORM_FIELDS = ClosureFields()


def codes_of(domain: Domain) -> frozenset[str]:
    """Every reason code the domain's table knows (the domain's whole code list)."""
    return frozenset(code for reasons in CLOSURE_TABLE[domain].values() for code in reasons)


def reasons_for(domain: Domain, category: ClosureCategory) -> list[str]:
    """The reason codes that go with the category, in code order."""
    return sorted(CLOSURE_TABLE[domain][category])


def results_for(domain: Domain, category: ClosureCategory, code: str) -> frozenset[bool]:
    """The results allowed with the category and reason; empty when the two do not go together."""
    return CLOSURE_TABLE[domain][category].get(code, frozenset())


def achievable_reasons(domain: Domain, category: ClosureCategory) -> list[str]:
    """The reason codes of the category with which the result may have been achieved."""
    return [c for c in reasons_for(domain, category) if True in results_for(domain, category, c)]


def is_allowed(domain: Domain, category: ClosureCategory, code: str, result: bool) -> bool:
    return result in results_for(domain, category, code)


def closure_problems(
    domain: Domain,
    category: ClosureCategory,
    code: str,
    result_achieved: bool,
    fields: ClosureFields = FORM_FIELDS,
) -> list[Problem]:
    """What is wrong with the combination, each at the field to change, naming what fits."""
    if code not in codes_of(domain):
        return [Problem(N_("Kies een reden van beëindiging uit de lijst."), fields.reason)]
    results = results_for(domain, category, code)
    if not results:
        return [
            Problem(
                N_(
                    "Reden %(code)s past niet bij categorie %(category)s. Bij categorie "
                    "%(category)s passen de redenen %(codes)s."
                ),
                fields.reason,
                {
                    "code": code,
                    "category": category.value,
                    "codes": ", ".join(reasons_for(domain, category)),
                },
            )
        ]
    if result_achieved not in results:
        achievable = achievable_reasons(domain, category)
        if not achievable:
            return [
                Problem(
                    N_(
                        "Bij categorie %(category)s is het resultaat niet behaald: kies 'Nee', "
                        "of een andere categorie."
                    ),
                    fields.result,
                    {"category": category.value},
                )
            ]
        return [
            Problem(
                N_(
                    "Een behaald resultaat past bij categorie %(category)s alleen bij reden "
                    "%(codes)s (volgens plan beëindigd); bij reden %(code)s kies 'Nee'."
                ),
                fields.result,
                {"category": category.value, "codes": ", ".join(achievable), "code": code},
            )
        ]
    return []


def close_problems(
    trajectory: Trajectory,
    *,
    care_end: date,
    closure_category: ClosureCategory,
    end_reason_code: str,
    result_achieved: bool,
    today: date,
) -> list[Problem]:
    """What is wrong with closing the running trajectory with these values: the end date lies
    between the start of care and today, and category, reason and result go together as the
    domain's table says. The one check for the gids's close (``trajectories.close``) and the
    provider's end-of-care report and its confirmation (``workflows.closure``)."""
    assert trajectory.care_start is not None
    problems = care_end_problems(trajectory.care_start, care_end, today)
    problems += closure_problems(
        trajectory.domain, closure_category, end_reason_code, result_achieved
    )
    return problems


def describe_closure(
    care_end: date, category: ClosureCategory, code: str, result_achieved: bool
) -> str:
    """A closure in a line for an event: ``einde zorg 2026-11-02, categorie a, reden 19,
    resultaat behaald`` (the close itself and the end-of-care report that asks for it)."""
    achieved = "behaald" if result_achieved else "niet behaald"
    return (
        f"einde zorg {care_end.isoformat()}, categorie {category.value}, reden {code}, "
        f"resultaat {achieved}"
    )


class RuleRow(NamedTuple):
    """One line of the table as the close pages show it."""

    category: ClosureCategory
    codes: list[str]
    achievable: list[str]  # the codes with which the result may be achieved
    domain: Domain  # whose code list the codes come from


def rows(domain: Domain) -> list[RuleRow]:
    return [
        RuleRow(
            category,
            reasons_for(domain, category),
            achievable_reasons(domain, category),
            domain,
        )
        for category in ClosureCategory
    ]
