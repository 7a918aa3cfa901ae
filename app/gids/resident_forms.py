"""Forms for correcting residents and their households. Field checks live here; the rules
(postcode, the dates of a move or death, who may change what) in workflows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from workflows.departures import Departure

from ..formtools import Form, date_in_range, optional_int, opts


class ResidentChangeForm(Form):
    given_name = StringField(
        _l("Voornaam"), validators=[DataRequired(_l("Vul de voornaam in.")), Length(max=80)]
    )
    family_name = StringField(
        _l("Achternaam (met tussenvoegsel)"),
        validators=[DataRequired(_l("Vul de achternaam in.")), Length(max=120)],
    )
    address = StringField(
        _l("Adres (straat en huisnummer)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Length(max=10)],
        render_kw={"autocomplete": "postal-code"},
    )
    wijk_id = SelectField(_l("Wijk of kern"), coerce=optional_int, validate_choice=False)
    phone = TelField(
        _l("Telefoonnummer"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    version = HiddenField()
    submit = SubmitField(_l("Wijzigingen opslaan"))


class DepartureForm(Form):
    kind = RadioField(
        _l("Wat is er gebeurd?"),
        choices=opts(
            [
                (Departure.VERHUISD.value, _l("Verhuisd buiten de gemeente")),
                (Departure.OVERLEDEN.value, _l("Overleden")),
            ]
        ),
        validators=[InputRequired(_l("Kies verhuizing of overlijden."))],
    )
    on = DateField(
        _l("Datum"),
        validators=[InputRequired(_l("Vul de datum in.")), date_in_range],
    )
    care_continues = RadioField(
        _l("Gaat de zorg verder in de nieuwe gemeente? (alleen bij verhuizing)"),
        choices=opts(
            [
                ("ja", _l("Ja: doorverwezen naar vervolghulp (categorie c)")),
                ("nee", _l("Nee: voortijdig afgesloten (categorie d)")),
            ]
        ),
        default="nee",
        validators=[Optional()],
    )
    version = HiddenField()
    check = SubmitField(_l("Bekijk wat er wordt afgesloten"))
    confirm = SubmitField(_l("Vastleggen en afsluiten"))


class MoveHouseholdForm(Form):
    member_bsn = StringField(
        _l("BSN van een huisgenoot in het nieuwe huishouden (leeg: een nieuw huishouden)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    version = HiddenField()
    submit = SubmitField(_l("Naar dit huishouden verhuizen"))


class HandOverForm(Form):
    gids_id = SelectField(
        _l("Nieuwe gids"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een gids."))],
    )
    submit = SubmitField(_l("Huishouden overdragen"))
