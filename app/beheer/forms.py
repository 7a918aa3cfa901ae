from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..formtools import Form


class ActionForm(Form):
    """A button that changes an account (block, unblock, reset the second factor)."""

    submit = SubmitField()


class InzageForm(Form):
    bsn = StringField(
        _l("BSN van de inwoner"),
        validators=[DataRequired(_l("Vul het BSN in.")), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    submit = SubmitField(_l("Opzoeken"))
