"""Long text is refused at its field, never before the form: the page comes back (422) with a
Dutch message naming the maximum, and everything typed — the long text too — is on it again to
shorten. Only input no person types (control characters) is refused before a form sees it."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from freezegun import freeze_time
from sqlalchemy import func, select
from wtforms import Field, HiddenField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import app.aanbieder.evaluation_forms
import app.aanbieder.forms
import app.auth.forms
import app.beheer.forms
import app.gids.evaluation_forms
import app.gids.forms
import app.manager.forms
from app.formtools import Form, MoneyField
from models import Resident

from .care import NOW, active, planned_evaluation, snapshot
from .helpers import checked_value, field_error, input_value, login_as, post_form, textarea_value

FORM_MODULES = [
    app.aanbieder.evaluation_forms,
    app.aanbieder.forms,
    app.auth.forms,
    app.beheer.forms,
    app.gids.evaluation_forms,
    app.gids.forms,
    app.manager.forms,
]


@pytest.fixture(autouse=True)
def frozen() -> Iterator[None]:
    with freeze_time(NOW):
        yield


def test_a_50000_character_evaluation_summary_is_refused_at_the_field_keeping_everything(
    client, world, session
):
    running = active(session, world)
    evaluation = planned_evaluation(running)
    before = snapshot(session, running.id)
    result = running.results[0]
    summary = "Anna vertelt uitgebreid hoe het gaat. " * 1_316  # 50,008 characters
    assert len(summary) >= 50_000
    login_as(client, world.aanbieder_a)
    url = f"/aanbieder/evaluaties/{evaluation.id}"
    data = {
        "held_on": NOW.isoformat(),
        "participants": ["inwoner", "netwerk"],
        "summary": summary,
        "need_changed": "ja",
        f"score_{result.id}": "2",
        f"explanation_{result.id}": "Veel beter dan verwacht",
    }
    response = post_form(client, url, url, data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    message = field_error(body, "summary")
    assert "4000" in message and "langer" in message  # Dutch, and names the maximum
    assert textarea_value(body, "summary") == summary.strip("\r\n")  # to shorten, not retype
    assert input_value(body, "held_on") == NOW.isoformat()
    checked = re.findall(r'<input checked[^>]*name="participants"[^>]*value="(\w+)"', body)
    assert checked == ["inwoner", "netwerk"]
    assert checked_value(body, "need_changed") == "ja"
    assert re.search(r'<option selected value="2">|<option value="2" selected', body)
    assert textarea_value(body, f"explanation_{result.id}") == "Veel beter dan verwacht"
    assert snapshot(session, running.id) == before


def test_an_overlong_name_is_refused_at_the_field_keeping_the_rest(client, world, session):
    login_as(client, world.gids)
    before = session.scalar(select(func.count()).select_from(Resident))
    data = {
        "bsn": "345678904",
        "given_name": "Anna",
        "family_name": "Visser" * 4_000,
        "birth_date": "1970-03-04",
        "postcode": "8251AB",
    }
    response = post_form(client, "/gids/inwoners/nieuw", "/gids/inwoners/nieuw", data)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "120" in field_error(body, "family_name")
    assert input_value(body, "family_name") == "Visser" * 4_000
    assert input_value(body, "given_name") == "Anna"
    assert input_value(body, "bsn") == "345678904"
    assert session.scalar(select(func.count()).select_from(Resident)) == before


def test_a_text_field_does_not_cut_a_paste_short_in_the_browser(client, world, session):
    """``maxlength`` would make the browser drop the end of a long paste without a word; the
    server's message at the field says what is too long instead."""
    running = active(session, world)
    login_as(client, world.aanbieder_a)
    body = client.get(f"/aanbieder/evaluaties/{planned_evaluation(running).id}").get_data(
        as_text=True
    )
    assert 'name="summary"' in body and "maxlength" not in body
    login_as(client, world.gids)
    assert "maxlength" not in client.get("/gids/inwoners/nieuw").get_data(as_text=True)


def _forms() -> list[type[Form]]:
    return [
        cls
        for module in FORM_MODULES
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Form) and cls.__module__ == module.__name__
    ]


def test_every_text_field_of_every_form_has_a_maximum(app: Flask) -> None:
    """Long text is refused by the field's own maximum, so every field a person types text
    into has one (a hidden field or an amount is not typed text)."""
    unbounded = []
    for form in _forms():
        for name, unbound in inspect.getmembers(form, lambda m: isinstance(m, UnboundField)):
            field_class: type[Field] = unbound.field_class
            if not issubclass(field_class, StringField) or issubclass(
                field_class, HiddenField | MoneyField
            ):
                continue
            validators = unbound.kwargs.get("validators") or (
                unbound.args[1] if len(unbound.args) > 1 else []
            )
            if not any(isinstance(v, Length) and v.max > 0 for v in validators):
                unbounded.append(f"{form.__name__}.{name}")
    assert not unbounded
    assert len(_forms()) > 20
