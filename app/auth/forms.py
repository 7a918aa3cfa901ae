from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from ..formtools import Form


class LoginForm(Form):
    email = EmailField(
        _l("E-mailadres"),
        validators=[DataRequired(_l("Vul uw e-mailadres in.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Inloggen"))


class CodeForm(Form):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )
    submit = SubmitField(_l("Controleren"))


class NewPasswordForm(Form):
    """A new password, typed twice: changing one's password, or choosing it through an
    invitation."""

    new_password = PasswordField(
        _l("Nieuw wachtwoord"),
        validators=[DataRequired(_l("Vul een nieuw wachtwoord in.")), Length(max=200)],
        render_kw={"autocomplete": "new-password"},
    )
    repeat = PasswordField(
        _l("Nieuw wachtwoord (nog een keer)"),
        validators=[
            DataRequired(_l("Herhaal het nieuwe wachtwoord.")),
            Length(max=200),
            EqualTo("new_password", _l("De twee nieuwe wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordChangeForm(NewPasswordForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired(_l("Vul uw huidige wachtwoord in.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Wachtwoord wijzigen"))


class RenewCodesForm(Form):
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul uw wachtwoord in.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Nieuwe herstelcodes maken"))


class InvitationForm(NewPasswordForm):
    """Choosing one's own password through an invitation link (workflows.invitations)."""

    submit = SubmitField(_l("Wachtwoord instellen"))
