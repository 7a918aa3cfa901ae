"""Beheerder forms for providers, contracts, profiles and tariff versions. The rules are the
workflows' (``workflows.providers``, ``workflows.catalogue``): these forms only read what was
typed, so a refused form comes back with everything in it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from models import Channel, ContractRole, Intensity

from ..formtools import Form, MoneyField, date_in_range, opts, whole_number
from ..gids.forms import NEED_TYPE_PAIRS

INTENSITY_CHOICES = [
    (Intensity.LAAG.value, _l("Laag")),
    (Intensity.MIDDEL.value, _l("Middel")),
    (Intensity.ZWAAR.value, _l("Zwaar")),
]


CHANNEL_CHOICES = [
    (Channel.PORTAAL.value, _l("Portaal (de aanbieder werkt in Trajectwijzer)")),
    (
        Channel.BERICHTENVERKEER.value,
        _l("Berichtenverkeer (iWmo/iJw-berichten van het cliëntsysteem)"),
    ),
]


def _record_id(raw: object) -> int:
    return whole_number(raw) or 0


class ProviderForm(Form):
    name = StringField(_l("Naam"), validators=[Length(max=300)])
    agb_code = StringField(
        _l("AGB-code (8 cijfers)"),
        validators=[Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class ProviderEditForm(ProviderForm):
    active = BooleanField(_l("Actief (kan nieuwe trajecten krijgen)"))


class ContractForm(Form):
    profile_id = SelectField(_l("Profiel"), coerce=_record_id, validate_choice=False)
    role = RadioField(
        _l("Rol"),
        choices=opts(
            [
                (ContractRole.HOOFDAANNEMER.value, _l("Hoofdaannemer")),
                (ContractRole.ONDERAANNEMER.value, _l("Onderaannemer")),
            ]
        ),
        validate_choice=False,
    )
    valid_from = DateField(
        _l("Ingangsdatum"),
        validators=[InputRequired(_l("Vul de ingangsdatum in.")), date_in_range],
    )
    valid_to = DateField(_l("Einddatum (leeg: geen einde)"), validators=[Optional(), date_in_range])
    channel = RadioField(
        _l("Kanaal"), choices=opts(CHANNEL_CHOICES), default=Channel.PORTAAL.value,
        validate_choice=False,
    )  # fmt: skip


class ContractChannelForm(Form):
    """How the contract's trajectories go to the provider (``workflows.providers.channel_of``)."""

    channel = RadioField(_l("Kanaal"), choices=opts(CHANNEL_CHOICES), validate_choice=False)


class ContractDatesForm(Form):
    valid_from = DateField(
        _l("Ingangsdatum"),
        validators=[InputRequired(_l("Vul de ingangsdatum in.")), date_in_range],
    )
    valid_to = DateField(_l("Einddatum (leeg: geen einde)"), validators=[Optional(), date_in_range])


class ProfileForm(Form):
    code = StringField(_l("Code"), validators=[Length(max=60)])
    name = StringField(_l("Naam"), validators=[Length(max=300)])
    category_code = SelectField(_l("Productcategorie (codelijst)"), validate_choice=False)
    intensities = SelectMultipleField(
        _l("Toegestane intensiteiten"),
        choices=opts(INTENSITY_CHOICES),
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    need_type_default = RadioField(
        _l("Soort ondersteuningsbehoefte bij een nieuw traject"),
        choices=opts([("", _l("Geen standaard")), *NEED_TYPE_PAIRS]),
        default="",
        validate_choice=False,
    )


class ProfileEditForm(ProfileForm):
    active = BooleanField(_l("Actief (in de catalogus voor nieuwe trajecten)"))


class TariffForm(Form):
    intensity = SelectField(_l("Intensiteit"), validate_choice=False)
    valid_from = DateField(
        _l("Geldig vanaf"), validators=[InputRequired(_l("Vul de ingangsdatum in.")), date_in_range]
    )
    valid_to = DateField(
        _l("Geldig tot en met (leeg: tot de volgende versie)"),
        validators=[Optional(), date_in_range],
    )
    price = MoneyField(_l("Trajectprijs (euro)"))
    standard_duration_weeks = IntegerField(
        _l("Standaardduur (weken)"),
        validators=[InputRequired(_l("Vul de standaardduur in.")), NumberRange(1, 520)],
    )
    evaluation_interval_months = IntegerField(
        _l("Evaluatie-interval (maanden)"),
        validators=[InputRequired(_l("Vul het evaluatie-interval in.")), NumberRange(1, 24)],
    )


class MergeForm(Form):
    target = SelectField(_l("Samenvoegen met"), coerce=_record_id, validate_choice=False)
