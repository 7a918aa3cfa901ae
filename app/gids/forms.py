"""Gids forms. Field checks live here; domain rules (tariffs, contracts, dates) in workflows."""

from __future__ import annotations

from typing import Any

import wtforms
from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    StringField,
    SubmitField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from models import AanmeldingOutcome, ClosureCategory, Domain, Intensity, NeedType
from workflows.bsn import is_valid_bsn, normalise_bsn
from workflows.catalogue import DEFAULT_NEED_TYPE

from ..formtools import Form, MoneyField, date_in_range, optional_int, opts

DATE_HINT = _l("Bijvoorbeeld 2026-11-23.")

DOMAIN_PAIRS = [(Domain.WMO.value, "Wmo"), (Domain.JEUGD.value, _l("Jeugd"))]
DOMAIN_CHOICES = opts(DOMAIN_PAIRS)
NEED_TYPE_PAIRS = [
    (NeedType.EINDIG.value, _l("Eindig (tijdelijk)")),
    (NeedType.BLIJVEND.value, _l("Blijvend")),
]
INTENSITY_CHOICES = opts(
    [
        (Intensity.LAAG.value, _l("Laag")),
        (Intensity.MIDDEL.value, _l("Middel")),
        (Intensity.ZWAAR.value, _l("Zwaar")),
    ]
)


class ResidentForm(Form):
    bsn = StringField(
        _l("BSN"),
        validators=[DataRequired(_l("Vul het BSN in.")), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    given_name = StringField(
        _l("Voornaam"), validators=[DataRequired(_l("Vul de voornaam in.")), Length(max=80)]
    )
    family_name = StringField(
        _l("Achternaam (met tussenvoegsel)"),
        validators=[DataRequired(_l("Vul de achternaam in.")), Length(max=120)],
    )
    birth_date = DateField(
        _l("Geboortedatum"),
        validators=[InputRequired(_l("Vul de geboortedatum in.")), date_in_range],
    )
    address = StringField(
        _l("Adres (straat en huisnummer)"),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "street-address"},
    )
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    wijk_id = SelectField(_l("Wijk of kern"), coerce=optional_int, validate_choice=False)
    phone = TelField(
        _l("Telefoonnummer"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "tel"},
    )
    household_member_bsn = StringField(
        _l("BSN van een huisgenoot (leeg: nieuw huishouden)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Inwoner opslaan"))

    def validate_bsn(self, field: StringField) -> None:
        if not is_valid_bsn(normalise_bsn(field.data or "")):
            raise ValidationError(_l("Dit is geen geldig BSN (9 cijfers en de elfproef)."))


class AanmeldingForm(Form):
    request_date = DateField(
        _l("Aanmelddatum"), validators=[InputRequired(_l("Vul de datum in.")), date_in_range]
    )
    domain = RadioField(
        _l("Domein"), choices=DOMAIN_CHOICES, validators=[InputRequired(_l("Kies het domein."))]
    )
    question = TextAreaField(
        _l("Hulpvraag"),
        validators=[DataRequired(_l("Beschrijf de hulpvraag.")), Length(max=4000)],
    )
    submit = SubmitField(_l("Aanmelding opslaan"))


class DecideAanmeldingForm(Form):
    outcome = RadioField(
        _l("Uitkomst"),
        choices=opts(
            [
                (AanmeldingOutcome.AFGEWEZEN.value, _l("Afgewezen")),
                (AanmeldingOutcome.GEEN_VERVOLG.value, _l("Geen vervolg")),
            ]
        ),
        validators=[InputRequired(_l("Kies een uitkomst."))],
    )
    reason = TextAreaField(_l("Reden"), validators=[Optional(), Length(max=4000)])
    # Only for an aanmelding from a provider's 315: the reason code its 319 carries (the view
    # fills the choices from workflows.berichten.answers.REFUSAL_REASONS).
    refusal_code = SelectField(
        _l("Reden van afwijzing voor de aanbieder (bericht 319)"), validators=[Optional()]
    )
    submit = SubmitField(_l("Uitkomst vastleggen"))


class InOnderzoekForm(Form):
    submit = SubmitField(_l("Aanbieder melden: aanvraag in onderzoek"))


class ResultForm(wtforms.Form):
    """One agreed result; a plain Form because the outer form carries the CSRF token."""

    description = TextAreaField(_l("Gewenst resultaat"), validators=[Optional(), Length(max=2000)])
    measure = TextAreaField(_l("Hoe meten we het?"), validators=[Optional(), Length(max=2000)])
    gas_minus2 = StringField(_l("−2: veel minder dan verwacht"), validators=[Length(max=500)])
    gas_minus1 = StringField(_l("−1: minder dan verwacht"), validators=[Length(max=500)])
    gas_zero = StringField(_l("0: verwacht niveau"), validators=[Length(max=500)])
    gas_plus1 = StringField(_l("+1: meer dan verwacht"), validators=[Length(max=500)])
    gas_plus2 = StringField(_l("+2: veel meer dan verwacht"), validators=[Length(max=500)])


MAX_RESULTS = 10


END_MOVES = "verschuift_mee"
END_STAYS = "blijft_staan"


class TrajectoryForm(Form):
    profile_id = SelectField(
        _l("Ondersteuningsprofiel"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een ondersteuningsprofiel."))],
    )
    intensity = SelectField(
        _l("Intensiteit"),
        choices=INTENSITY_CHOICES,
        validators=[InputRequired(_l("Kies een intensiteit."))],
    )
    planned_start = DateField(
        _l("Geplande startdatum"),
        validators=[InputRequired(_l("Vul de geplande startdatum in.")), date_in_range],
    )
    refresh = SubmitField(_l("Tarief en aanbieders tonen"))
    provider_id = SelectField(
        _l("Aanbieder (hoofdaannemer)"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een aanbieder."))],
    )
    subcontractor_id = SelectField(
        _l("Onderaannemer (optioneel)"), coerce=optional_int, validate_choice=False
    )
    need_type = RadioField(
        _l("Soort ondersteuningsbehoefte"),
        choices=opts(NEED_TYPE_PAIRS),
        default=DEFAULT_NEED_TYPE.value,
        validators=[InputRequired(_l("Kies eindig of blijvend."))],
    )
    # On a new trajectory: the need type the page preselected (from the profile's default, or
    # the general one). While the chosen need type still equals it, the gids has not chosen one
    # and it follows the profile; empty once the gids chose (the script empties it on a change).
    need_type_preset = HiddenField(default=DEFAULT_NEED_TYPE.value)
    planned_end = DateField(
        _l("Geplande einddatum (leeg: standaardduur van het tarief)"),
        validators=[Optional(), date_in_range],
    )
    # Asked when an edit moves the planned start and leaves the planned end as it was.
    end_shift = RadioField(
        _l("De geplande start verschuift. Wat doet de geplande einddatum?"),
        choices=opts(
            [
                (END_MOVES, _l("Einddatum verschuift mee (evenveel dagen)")),
                (END_STAYS, _l("Einddatum blijft staan")),
            ]
        ),
        validate_choice=False,
        validators=[Optional()],
    )
    price = MoneyField(_l("Trajectprijs in euro (leeg: het tarief)"), validators=[Optional()])
    price_reason = TextAreaField(
        _l("Reden voor een afwijkende prijs"), validators=[Optional(), Length(max=2000)]
    )
    results = FieldList(FormField(ResultForm), min_entries=1, max_entries=MAX_RESULTS)
    add_result = SubmitField(_l("Nog een resultaat toevoegen"))
    version = HiddenField()
    submit = SubmitField(_l("Opslaan als concept"))


class ReasonForm(Form):
    reason = TextAreaField(
        _l("Reden"), validators=[DataRequired(_l("Geef een reden.")), Length(max=2000)]
    )
    version = HiddenField()
    submit = SubmitField(_l("Bevestigen"))


class ExtendDecisionForm(Form):
    new_end = DateField(
        _l("Nieuwe einddatum beschikking"),
        validators=[InputRequired(_l("Vul de nieuwe einddatum in.")), date_in_range],
    )
    reason = TextAreaField(
        _l("Reden van de verlenging"),
        validators=[DataRequired(_l("Geef een reden.")), Length(max=2000)],
    )
    version = HiddenField()
    submit = SubmitField(_l("Beschikking verlengen"))


class ProposeForm(Form):
    version = HiddenField()
    submit = SubmitField(_l("Versturen naar aanbieder"))


class ClosingForm(Form):
    """How a trajectory ends: the last day of care, the closure category, the end reason and
    whether the result was achieved. The gids closes with it (``CloseForm``), the provider
    reports the end of care with it (``EndOfCareForm``); the rules that tie the answers together
    are the workflow's (``workflows.closure_rules``)."""

    care_end_label = _l("Einddatum zorg")

    care_end = DateField(
        care_end_label, validators=[InputRequired(_l("Vul de einddatum in.")), date_in_range]
    )
    closure_category = RadioField(
        _l("Afsluitcategorie"), validators=[InputRequired(_l("Kies een afsluitcategorie."))]
    )
    end_reason_code = SelectField(
        _l("Reden beëindiging"), validators=[InputRequired(_l("Kies een reden."))]
    )
    result_achieved = RadioField(
        _l("Resultaat behaald?"),
        choices=opts([("ja", _l("Ja")), ("nee", _l("Nee"))]),
        validators=[InputRequired(_l("Geef aan of het resultaat is behaald."))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.care_end.label.text = self.care_end_label

    def closing(self) -> dict[str, Any]:
        """The answers as the closing workflows take them (``close``, ``report_end_of_care``)."""
        assert self.care_end.data is not None
        return {
            "care_end": self.care_end.data,
            "closure_category": ClosureCategory(self.closure_category.data),
            "end_reason_code": self.end_reason_code.data or "",
            "result_achieved": self.result_achieved.data == "ja",
        }


class CloseForm(ClosingForm):
    version = HiddenField()
    submit = SubmitField(_l("Traject afsluiten"))


class CaseloadFilterForm(wtforms.Form):
    """The caseload filters. State, domain and page may be a GET; the search text is sent only
    in a POST (with the CSRF token the template adds), never in the URL."""

    q = SearchField(_l("Zoek op naam of BSN"), validators=[Optional(), Length(max=100)])
    state = SelectField(_l("Status"), validators=[Optional()])
    domain = SelectField(
        _l("Domein"), choices=opts([("", _l("Alle")), *DOMAIN_PAIRS]), validators=[Optional()]
    )
    page = IntegerField(validators=[Optional()])
