"""The dashboard's filter form (GET, no CSRF token: it changes nothing; the values are checked
by ``workflows.stats.selection.parse_query``; the form only offers the choices and keeps them),
and the council report's commentary form (POST, with its CSRF token)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import SelectField, StringField, TextAreaField

from models import ProductCategory, Provider, SupportProfile, Wijk
from workflows.stats.feed import AGE_BAND_CODES

from ..formtools import Form, opts

ALL = ("", _l("Alle"))


class FilterForm(FlaskForm):
    class Meta:
        csrf = False

    figuur = StringField()
    from_ = StringField(_l("Van (maand)"), name="from", render_kw={"type": "month"})
    to = StringField(_l("Tot en met (maand)"), render_kw={"type": "month"})
    domain = SelectField(_l("Domein"), validate_choice=False)
    unit = SelectField(_l("Eenheid"), validate_choice=False)
    basis = SelectField(_l("Basis"), validate_choice=False)
    category = SelectField(_l("Productcategorie"), validate_choice=False)
    profile = SelectField(_l("Profiel"), validate_choice=False)
    intensity = SelectField(_l("Intensiteit"), validate_choice=False)
    provider = SelectField(_l("Aanbieder"), validate_choice=False)
    wijk = SelectField(_l("Wijk of kern"), validate_choice=False)
    age_band = SelectField(_l("Leeftijd"), validate_choice=False)

    def fill_choices(self, session: Session) -> None:
        self.domain.choices = opts(
            [("", _l("Wmo en Jeugd")), ("wmo", "Wmo"), ("jeugd", _l("Jeugd"))]
        )
        self.unit.choices = opts([("traject", _l("Trajecten")), ("client", _l("Cliënten"))])
        self.basis.choices = opts([("eindstand", _l("Eindstand")), ("instroom", _l("Instroom"))])
        self.category.choices = opts(
            [ALL]
            + [
                (c.code, f"{c.code} {c.name}")
                for c in session.scalars(select(ProductCategory).order_by(ProductCategory.code))
            ]
        )
        self.profile.choices = opts(
            [ALL]
            + [
                (p.code, f"{p.name} ({p.code})")
                for p in session.scalars(select(SupportProfile).order_by(SupportProfile.name))
            ]
        )
        self.intensity.choices = opts(
            [ALL, ("laag", _l("Laag")), ("middel", _l("Middel")), ("zwaar", _l("Zwaar"))]
        )
        self.provider.choices = opts(
            [ALL]
            + [
                (p.agb_code, f"{p.name} ({p.agb_code})")
                for p in session.scalars(select(Provider).order_by(Provider.name))
            ]
        )
        self.wijk.choices = opts(
            [ALL] + [(w.name, w.name) for w in session.scalars(select(Wijk).order_by(Wijk.name))]
        )
        self.age_band.choices = opts([ALL] + [(code, code) for code in AGE_BAND_CODES])


def council_form(fields: Sequence[tuple[str, str]], data: Mapping[str, str]) -> Form:
    """The council report's commentary: one labelled textarea per (field name, label), filled
    with what is kept (``data``) unless the form was just sent."""

    class CouncilForm(Form):
        pass

    for name, label in fields:
        setattr(CouncilForm, name, TextAreaField(label, render_kw={"rows": 3}))
    return CouncilForm(data=dict(data))
