from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..formtools import Form, date_in_range


class AcceptForm(Form):
    version = HiddenField()
    submit = SubmitField(_l("Accepteren"))


class ReturnForm(Form):
    reason = TextAreaField(
        _l("Reden van terugsturen"),
        validators=[
            DataRequired(_l("Geef een reden waarom u het traject terugstuurt.")),
            Length(max=2000),
        ],
    )
    version = HiddenField()
    submit = SubmitField(_l("Terugsturen naar de gids"))


class StartForm(Form):
    care_start = DateField(
        _l("Eerste dag van de zorg"),
        validators=[InputRequired(_l("Vul de startdatum in.")), date_in_range],
    )
    version = HiddenField()
    submit = SubmitField(_l("Start zorg registreren"))
