"""Shared form pieces: Dutch money input, and putting workflow problems on the right field."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from workflows.errors import DomainError

from .filters import translate_problem

MAX_AMOUNT = Decimal("10000000")


def opts(pairs: Iterable[tuple[Any, Any]], optgroup: str | None = None) -> list[SelectChoice]:
    """Select/radio options from (value, label) pairs; None becomes the empty value."""
    return [
        SelectChoice(value="" if v is None else str(v), label=label, optgroup=optgroup)
        for v, label in pairs
    ]


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


def apply_problems(form: FlaskForm, error: DomainError) -> list[str]:
    """Attach each problem to its field; return the messages that belong to no field."""
    general: list[str] = []
    for problem in error.problems:
        message = translate_problem(problem)
        target: Field | None = getattr(form, problem.field, None) if problem.field else None
        if isinstance(target, Field):
            target.errors = [*list(target.errors), message]
        else:
            general.append(message)
    return general
