"""Domain errors: Dutch message ids with placeholders, one problem per broken rule."""

from __future__ import annotations

from workflows.errors import N_, DomainError, NotFound, Problem, VersionConflict


def test_a_problem_fills_in_its_placeholders() -> None:
    problem = Problem("Onbekende AGB-code: %(agb)s.", "agb", {"agb": "99999999"})
    assert problem.render() == "Onbekende AGB-code: 99999999."


def test_a_problem_without_params_keeps_a_literal_percent_sign() -> None:
    assert Problem("Korting van 10% is niet toegestaan.").render() == (
        "Korting van 10% is niet toegestaan."
    )


def test_a_domain_error_carries_one_problem_with_its_field() -> None:
    error = DomainError("De prijs kan niet negatief zijn.", field="price")
    assert error.problems == [Problem("De prijs kan niet negatief zijn.", "price")]
    assert str(error) == "De prijs kan niet negatief zijn."


def test_an_error_from_several_problems_lists_them_all() -> None:
    problems = [
        Problem("Vul de voornaam in.", "given_name"),
        Problem("De geboortedatum ligt in de toekomst.", "birth_date"),
    ]
    error = DomainError.from_problems(problems)
    assert error.problems == problems
    assert str(error) == "Vul de voornaam in.; De geboortedatum ligt in de toekomst."


def test_not_found_and_version_conflict_are_domain_errors() -> None:
    assert isinstance(NotFound("Traject niet gevonden."), DomainError)
    assert isinstance(VersionConflict("Gewijzigd."), DomainError)
    assert NotFound.from_problems([Problem("Weg.")]).__class__ is NotFound


def test_the_marker_returns_the_message_untranslated() -> None:
    assert N_("Geannuleerd") == "Geannuleerd"
