from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from models import Trajectory

from ..formtools import Form, date_in_range
from .evaluation_forms import GroupProblems, add_zrm_fields


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
    zrm = GroupProblems()
    version = HiddenField()
    submit = SubmitField(_l("Start zorg registreren"))

    zrm_fields: list[tuple[int, str]] = []  # filled in by ``start_form``

    def zrm_selects(self) -> list[Any]:
        return [self[name] for _domain, name in self.zrm_fields]


def start_form(trajectory: Trajectory, **kwargs: Any) -> StartForm:
    """The start-of-care form; with the ZRM at the start (optional, all 13 domains or none)
    when the trajectory uses the ZRM."""

    class TrajectoryStartForm(StartForm):
        pass

    TrajectoryStartForm.zrm_fields = add_zrm_fields(TrajectoryStartForm, trajectory)
    return TrajectoryStartForm(**kwargs)
