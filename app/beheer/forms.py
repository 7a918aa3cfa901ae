"""Beheerder forms: accounts and registering a request for access (*inzageverzoek*); for the
statistics, outlier months, population figures, API tokens, the history import and the review of
imported catalogue entries. Domain rules live in workflows.inzage, workflows.stats.admin and
workflows.stats.history."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from models import Role

from ..formtools import CountField, Form, opts, whole_number


def _record_id(raw: object) -> int:
    """A chosen record's id; 0 (which names nothing) for text that is no id or is too large."""
    return whole_number(raw) or 0


class OutlierForm(Form):
    domain = SelectField(
        _l("Domein"), choices=opts([("wmo", "Wmo"), ("jeugd", _l("Jeugd"))]), validate_choice=False
    )
    month = StringField(
        _l("Maand"),
        validators=[DataRequired(_l("Vul de maand in (JJJJ-MM).")), Length(max=20)],
        render_kw={"type": "month", "placeholder": "2019-01"},
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[DataRequired(_l("Geef de reden.")), Length(max=2000)],
    )


class PopulationForm(Form):
    year = IntegerField(
        _l("Jaar"),
        validators=[InputRequired(_l("Vul het jaar in.")), NumberRange(2000, 2100)],
    )
    # "39.800" or "39800"; the range (more than 0) is workflows.stats.admin's to check.
    inhabitants = CountField(_l("Inwoners"), validators=[Length(max=20)])
    households = CountField(_l("Huishoudens"), validators=[Length(max=20)])


class TokenForm(Form):
    user_id = SelectField(_l("Manager"), coerce=_record_id, validate_choice=False)
    name = StringField(
        _l("Naam van het token (waarvoor)"),
        validators=[DataRequired(_l("Geef het token een naam.")), Length(max=80)],
    )


class ImportForm(Form):
    file = FileField(
        _l("CSV-bestand met trajecten"), validators=[FileRequired(_l("Kies een bestand."))]
    )
    gids_id = SelectField(_l("Verantwoordelijke gids"), coerce=_record_id, validate_choice=False)
    create_missing = BooleanField(
        _l("Onbekende profielen en aanbieders toevoegen (ter beoordeling)")
    )


class ReviewForm(Form):
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef een naam.")), Length(max=160)])
    active = BooleanField(_l("Opnemen in de catalogus (actief)"))


class ActionForm(Form):
    """A button that changes an account (block, unblock, reset the second factor)."""

    submit = SubmitField()


class AccessRequestForm(Form):
    """Registering a request for access: the resident by BSN (in the POST body, never a URL),
    who asked, when it came in and the case number. The rules are in workflows.inzage."""

    bsn = StringField(
        _l("BSN van de inwoner"),
        validators=[DataRequired(_l("Vul het BSN in.")), Length(max=20)],
        render_kw={"autocomplete": "off", "inputmode": "numeric"},
    )
    reference = StringField(
        _l("Zaaknummer"),
        validators=[DataRequired(_l("Vul het zaaknummer in.")), Length(max=40)],
        render_kw={"autocomplete": "off"},
    )
    requester_name = StringField(
        _l("Naam van wie het verzoek deed"),
        validators=[DataRequired(_l("Vul de naam in van wie het verzoek deed.")), Length(max=160)],
        render_kw={"autocomplete": "off"},
    )
    requester_relation = RadioField(
        _l("Het verzoek komt van"),
        validators=[InputRequired(_l("Kies wie het verzoek deed."))],
        validate_choice=False,
    )
    received_on = DateField(
        _l("Ontvangen op"), validators=[InputRequired(_l("Vul de datum van ontvangst in."))]
    )
    submit = SubmitField(_l("Verzoek registreren"))


ROLE_LABELS = {
    Role.GIDS: _l("Gids"),
    Role.AANBIEDER: _l("Zorgaanbieder"),
    Role.MANAGER: _l("Manager"),
    Role.BEHEERDER: _l("Beheerder"),
}


class AccountEditForm(Form):
    """An account's name, role and provider (workflows.users.change_user checks the rules)."""

    name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Vul de naam in.")), Length(max=120)]
    )
    role = SelectField(
        _l("Rol"),
        choices=opts((role.value, label) for role, label in ROLE_LABELS.items()),
        validators=[InputRequired(_l("Kies een rol."))],
    )
    provider_agb = SelectField(
        _l("Aanbieder (alleen voor een zorgaanbieder)"), validate_choice=False
    )
    submit = SubmitField(_l("Opslaan"))


class AccountForm(AccountEditForm):
    """A new account: the user gets an invitation to choose their own password."""

    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(_l("Vul het e-mailadres in.")), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Account aanmaken en uitnodiging sturen"))


class WijkForm(Form):
    name = StringField(
        _l("Naam van de wijk of kern"),
        validators=[DataRequired(_l("Geef de naam van de wijk of kern.")), Length(max=80)],
    )


class MessageTokenForm(Form):
    """A bearer token for a provider's message gateway (``workflows.message_tokens``)."""

    name = StringField(
        _l("Naam van het token (welk systeem)"),
        validators=[DataRequired(_l("Geef het token een naam.")), Length(max=80)],
    )


class ShowBodyForm(Form):
    """Showing a message's content (personal data) to the beheerder takes a reason, which the
    audit log keeps with the entry."""

    reason = StringField(
        _l("Reden om de inhoud te bekijken"),
        validators=[
            DataRequired(_l("Geef een reden, bijvoorbeeld de melding of de storing.")),
            Length(max=200, message=_l("Ten hoogste 200 tekens.")),
        ],
    )
