"""``run_step``: the one way a view runs a workflow step — committed and flashed when done;
rolled back with every problem at its field (or at the top, or flashed) when refused; a record
that is gone or changed meanwhile answered by the error handlers, or kept on the page with 409."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask, g, get_flashed_messages
from sqlalchemy import select
from wtforms import StringField

from app.extensions import db
from app.formtools import Form, run_step
from models import Wijk
from workflows.errors import DomainError, NotFound, Problem, VersionConflict


class NameForm(Form):
    class Meta(Form.Meta):
        csrf = False

    name = StringField()


@pytest.fixture
def posted(app: Flask, connection: object) -> Iterator[NameForm]:
    with app.test_request_context(method="POST", data={"name": "Swifterbant"}):
        yield NameForm()
        db.session.rollback()


def _add_wijk(name: str) -> Wijk:
    wijk = Wijk(name=name)
    db.session.add(wijk)
    db.session.flush()
    return wijk


def _wijk_names() -> list[str]:
    return list(db.session.scalars(select(Wijk.name).where(Wijk.name.like("Test %"))))


def _refuse(*problems: Problem) -> None:
    _add_wijk("Test geweigerd")
    raise DomainError.from_problems(list(problems))


def test_a_done_step_is_committed_and_flashed(posted):
    step = run_step(posted, lambda: _add_wijk("Test gedaan"), success="Opgeslagen.")
    assert step.ok and step.value.name == "Test gedaan"
    db.session.rollback()  # nothing left to undo: the step was committed
    assert _wijk_names() == ["Test gedaan"]
    assert get_flashed_messages(with_categories=True) == [("success", "Opgeslagen.")]


def test_a_refused_step_is_rolled_back_with_each_problem_at_its_field(posted):
    step = run_step(
        posted,
        lambda: _refuse(Problem("Naam bestaat al.", "name"), Problem("Iets anders.")),
        success="Opgeslagen.",
    )
    assert not step.ok and step.status == 200
    assert posted.name.errors == ["Naam bestaat al."]
    assert step.general == ["Iets anders."]
    assert posted.name.data == "Swifterbant"  # what was typed stays
    assert g.form_rejected  # answered with 422
    assert _wijk_names() == []
    assert get_flashed_messages() == []
    with pytest.raises(RuntimeError):
        step.value  # noqa: B018


def test_without_a_form_every_message_is_general(posted):
    step = run_step(None, lambda: _refuse(Problem("Naam bestaat al.", "name")))
    assert step.general == ["Naam bestaat al."]
    assert not posted.name.errors


def test_a_button_flashes_its_problems(posted):
    step = run_step(
        posted,
        lambda: _refuse(Problem("Aan het veld.", "name"), Problem("Algemeen.")),
        flash_problems=True,
    )
    assert not step.ok
    assert get_flashed_messages(with_categories=True) == [
        ("error", "Algemeen."),
        ("error", "Aan het veld."),
    ]


@pytest.mark.parametrize("error", [NotFound("Weg."), VersionConflict("Gewijzigd.")])
def test_a_missing_or_changed_record_goes_to_the_error_handlers(posted, error):
    def step() -> None:
        _add_wijk("Test weg")
        raise error

    with pytest.raises(type(error)):
        run_step(posted, step)
    assert _wijk_names() == []


def test_a_conflict_keeps_the_page_with_409_when_asked(posted):
    def step() -> None:
        _add_wijk("Test conflict")
        raise VersionConflict("Gewijzigd.")

    refused = run_step(posted, step, success="Opgeslagen.", conflict="Iemand anders was eerder.")
    assert not refused.ok and refused.status == 409
    assert refused.general == ["Iemand anders was eerder."]
    assert _wijk_names() == []
    assert get_flashed_messages() == []
