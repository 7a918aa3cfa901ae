"""Shared form pieces: the form base class, Dutch money input, putting workflow problems on the
right field, and ``run_step``: one workflow step as the request's one unit of work.

A form that is sent back because something in it is wrong answers 422, not 200 (``Form``,
``reject``, ``apply_problems``; ``app/security.py`` sets the status): the page still shows every
message at its field, and no client or test can take a refused form for a stored one."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Generic, TypeVar

from babel import support
from flask import flash, g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import ValidationError

from models import Trajectory
from workflows.eligibility import is_plausible
from workflows.errors import DomainError, NotFound, VersionConflict
from workflows.transitions import TRAJECTORY_TABLE, Action, allowed_actions

from .extensions import db
from .filters import translate_problem

T = TypeVar("T")

MAX_AMOUNT = Decimal("10000000")
# The largest id an INTEGER primary key holds; a larger number cannot name a record (and would
# overflow SQLite's driver), so routes and forms treat it as unknown.
MAX_ID = 2**31 - 1


def reject(messages: list[str] | None = None) -> list[str]:
    """Mark this request's form as refused (answered with 422); returns ``messages``."""
    g.form_rejected = True
    return messages or []


@cache
def _wtforms_messages(locale: str) -> support.Translations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    """FlaskForm that marks the request as refused when a submitted form does not validate."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            """WTForms's own messages in the request's language. Flask-WTF reads the catalogue
            file anew on every request; it never changes while the app runs (bench/load.py)."""
            return _wtforms_messages(str(get_locale()))

        def render_field(self, field: Field, render_kw: dict[str, Any]) -> Any:
            """Without the ``maxlength`` WTForms derives from a field's ``Length``: a browser
            silently drops the end of a paste that is too long. The field's maximum is checked
            on the server instead, with a message that names it and the text kept to shorten."""
            render_kw.setdefault("maxlength", False)
            return super().render_field(field, render_kw)

    def validate_on_submit(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate_on_submit(extra_validators))
        if self.is_submitted() and not valid:
            reject()
        return valid


def opts(pairs: Iterable[tuple[Any, Any]], optgroup: str | None = None) -> list[SelectChoice]:
    """Select/radio options from (value, label) pairs; None becomes the empty value."""
    return [
        SelectChoice(value="" if v is None else str(v), label=label, optgroup=optgroup)
        for v, label in pairs
    ]


def whole_number(raw: object) -> int | None:
    """A whole number sent as text (a version, an id), or None when the text is not one or is too
    large to name anything here. ``str.isdigit`` alone is not enough: it accepts "²", which
    ``int`` refuses, and ``int`` refuses more than 4300 digits."""
    text = "" if raw is None else str(raw)
    if not text.isdecimal() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def date_in_range(form: Any, field: DateField) -> None:
    """Every typed date: within the years anyone means (``workflows.eligibility``). The rules
    of each date (before birth, past the planned end, …) are the workflows' to check."""
    if field.data is not None and not is_plausible(field.data):
        raise ValidationError(_l("Deze datum ligt buiten het geldige bereik."))


def optional_int(value: object) -> int | None:
    """Coerce for a select whose empty choice means 'none': an id, or None for "" and "0"."""
    if value in (None, "", "0"):
        return None
    number = int(str(value))
    if not 0 < number <= MAX_ID:
        raise ValueError(value)  # WTForms reports "not a valid choice" at the field
    return number


def parse_amount(raw: str) -> Decimal:
    """Accept ``1234.56``, ``1234,56`` and ``1.234,56`` (Dutch thousands separator)."""
    text = raw.strip().replace("€", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    value = Decimal(text)
    if not value.is_finite():
        raise InvalidOperation
    return value.quantize(Decimal("0.01"))


class MoneyField(StringField):
    """An optional amount in euros; empty means 'not given'."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.amount: Decimal | None = None

    def pre_validate(self, form: Any) -> None:
        self.amount = None
        if not self.data or not str(self.data).strip():
            return
        try:
            amount = parse_amount(str(self.data))
        except (InvalidOperation, ValueError):
            raise ValidationError(_l("Vul een bedrag in, bijvoorbeeld 1234,56.")) from None
        if amount >= MAX_AMOUNT:
            raise ValidationError(_l("Dit bedrag is te hoog."))
        self.amount = amount


COUNT_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d{1,9})$")


class CountField(StringField):
    """A required whole number such as a number of inhabitants, typed as a Dutch reader writes
    it: "39800" or with thousands separated by dots, "39.800". A decimal comma ("39,8"), a
    negative number or dots in the wrong places are refused with a message that says why. The
    typed text stays in ``data`` (kept on a refused form); the number is ``count``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(*args, **kwargs)
        self.count: int | None = None

    def pre_validate(self, form: Any) -> None:
        self.count = None
        text = "".join(str(self.data or "").split())
        if not text:
            raise ValidationError(_l("Vul een aantal in."))
        if text.startswith(("-", "\u2212")):
            raise ValidationError(_l("Een aantal kan niet negatief zijn."))
        if "," in text:
            raise ValidationError(
                _l("Vul een heel getal in, zonder komma: bijvoorbeeld 39.800 of 39800.")
            )
        if not text.isascii() or not COUNT_RE.match(text):
            raise ValidationError(
                _l("Vul een heel getal in, zoals 39800 of met punten per duizendtal 39.800.")
            )
        self.count = int(text.replace(".", ""))


def apply_problems(form: FlaskForm | None, error: DomainError) -> list[str]:
    """Attach each problem to its field; return the messages that belong to no field.

    A ``NotFound`` or ``VersionConflict`` is no problem with the form: it is raised again, so the
    error handlers answer 404 or 409 instead of a form that looks as if it could be resent."""
    if isinstance(error, NotFound | VersionConflict):
        raise error
    reject()
    general: list[str] = []
    for problem in error.problems:
        message = translate_problem(problem)
        target = getattr(form, problem.field, None) if form is not None and problem.field else None
        if isinstance(target, Field):
            target.errors = [*list(target.errors), message]
        else:
            general.append(message)
    return general


def not_possible(trajectory: Trajectory, action: Action) -> str | None:
    """Why ``action`` cannot be taken in the trajectory's present state, or None if it can."""
    if action in allowed_actions(trajectory.state):
        return None
    # The workflow's own refusal (one message, one place); its parameter is a state label.
    refusal = TRAJECTORY_TABLE.refusal(trajectory.state, action)
    return "; ".join(
        _(problem.message, **{name: _(label) for name, label in problem.params.items()})
        for problem in refusal.problems
    )


def step_not_possible(trajectory: Trajectory, action: Action) -> list[str]:
    """The message for a form sent from a page that is out of date: in the trajectory's present
    state the step is not possible, so the page shows no form to put a field message on."""
    message = not_possible(trajectory, action)
    return reject([message]) if message else []


class Step(Generic[T]):
    """What ``run_step`` did: ``ok`` with the step's ``value``, or refused with the messages that
    belong to no field (``general``) and the status the page answers with."""

    def __init__(
        self, ok: bool, value: Any = None, general: list[str] | None = None, status: int = 200
    ) -> None:
        self.ok = ok
        self._value = value
        self.general = general or []
        self.status = status

    @property
    def value(self) -> T:
        if not self.ok:
            raise RuntimeError("a refused step has no value")
        return self._value  # type: ignore[no-any-return]


def run_step(
    form: FlaskForm | None,
    step: Callable[[], T],
    *,
    success: str | None = None,
    conflict: str | None = None,
    flash_problems: bool = False,
) -> Step[T]:
    """Run ``step`` — the workflow calls of one request — as the request's one unit of work.

    Done: commit, and flash ``success`` when given. Refused (``DomainError``): roll back and put
    each problem at its field of ``form``; the rest is ``general``, for the top of the page. The
    page is shown again with everything typed kept and answers 422 (``reject``). Without a
    form (``None``) every message is general. With ``flash_problems`` — a button that redirects
    back, with no field to show a message at — every message is flashed as an error instead.

    ``NotFound`` and ``VersionConflict`` are no problem with the form: they are raised again (after
    the rollback), so the error handlers answer 404 or 409. A form that is worth keeping when
    someone else saved first passes ``conflict``: then a ``VersionConflict`` shows that message
    above what was typed, with status 409."""
    try:
        value = step()
    except DomainError as error:
        db.session.rollback()
        if conflict is not None and isinstance(error, VersionConflict):
            return Step(False, general=reject([conflict]), status=409)
        general = apply_problems(form, error)
        if flash_problems:
            at_fields = [m for messages in (form.errors if form else {}).values() for m in messages]
            for message in [*general, *at_fields]:
                flash(message, "error")
        return Step(False, general=general)
    db.session.commit()
    if success is not None:
        flash(success, "success")
    return Step(True, value)
