"""Beheerder forms for the statistics: outlier months, population figures, API tokens, the history
import and the review of imported catalogue entries. Domain rules live in workflows.stats.admin
and workflows.stats.history."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..formtools import opts


class OutlierForm(FlaskForm):
    domain = SelectField(
        _l("Domein"), choices=opts([("wmo", "Wmo"), ("jeugd", _l("Jeugd"))]), validate_choice=False
    )
    month = StringField(
        _l("Maand"),
        validators=[DataRequired(_l("Vul de maand in (JJJJ-MM)."))],
        render_kw={"type": "month", "placeholder": "2019-01"},
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[DataRequired(_l("Geef de reden.")), Length(max=2000)],
    )


class PopulationForm(FlaskForm):
    year = IntegerField(
        _l("Jaar"),
        validators=[InputRequired(_l("Vul het jaar in.")), NumberRange(2000, 2100)],
    )
    inhabitants = IntegerField(
        _l("Inwoners"),
        validators=[InputRequired(_l("Vul het aantal inwoners in.")), NumberRange(1, 10_000_000)],
    )
    households = IntegerField(
        _l("Huishoudens"),
        validators=[
            InputRequired(_l("Vul het aantal huishoudens in.")),
            NumberRange(1, 10_000_000),
        ],
    )


class TokenForm(FlaskForm):
    user_id = SelectField(_l("Manager"), coerce=int, validate_choice=False)
    name = StringField(
        _l("Naam van het token (waarvoor)"),
        validators=[DataRequired(_l("Geef het token een naam.")), Length(max=80)],
    )


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV-bestand met trajecten"), validators=[FileRequired(_l("Kies een bestand."))]
    )
    gids_id = SelectField(_l("Verantwoordelijke gids"), coerce=int, validate_choice=False)
    create_missing = BooleanField(
        _l("Onbekende profielen en aanbieders toevoegen (ter beoordeling)")
    )


class ReviewForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam.")), Length(max=160)])
    active = BooleanField(_l("Opnemen in de catalogus (actief)"))
