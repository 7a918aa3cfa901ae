"""Provider forms for running care: the evaluation, a scaling request, the end-of-care report and
the claim. The evaluation form has one score and one explanation per agreed result of the
trajectory, and the 13 ZRM domains only when the trajectory uses the ZRM, so the form class is
built for the trajectory (``evaluation_form``): a result that is not on the trajectory cannot be
posted, and every score is known by its result's id, whatever the order of the fields."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import (
    BooleanField,
    DateField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from models import Intensity, Trajectory

from ..care_labels import GAS_LEVELS, ZRM_DOMAIN_LABELS, ZRM_LEVELS, gas_level_text
from ..formtools import Form, MoneyField, date_in_range, optional_int, opts
from ..gids.forms import INTENSITY_CHOICES, ClosingForm

TEXT_MAX = 4000
REASON_MAX = 2000
PARTICIPANTS = ("inwoner", "gids", "aanbieder", "netwerk")


class GroupProblems(Field):
    """Takes no input: it carries the workflow's problems about a group of fields (a fieldset
    such as the scores or the ZRM), so ``apply_problems`` can put them there."""

    def widget(self, field: Field, **kwargs: Any) -> Markup:  # type: ignore[override]
        return Markup("")

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None


class CheckboxesField(SelectMultipleField):
    """Several checkboxes under one name, shown in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _score(value: object) -> int | None:
    """A GAS or ZRM score as posted; empty is None, anything else not a small whole number is
    refused at the field (a tampered value never reaches the workflow as something else)."""
    if value in (None, ""):
        return None
    text = str(value).replace("−", "-").lstrip("+")
    if not text.lstrip("-").isdecimal() or len(text) > 3:
        raise ValueError(value)
    return int(text)


class ScoreChoice(SelectField):
    """A select whose value must be one of its options; out of range gives the Dutch message."""

    def __init__(self, *args: Any, message: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("coerce", _score)
        kwargs.setdefault("validate_choice", False)
        super().__init__(*args, **kwargs)
        self.range_message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.range_message) from None

    def pre_validate(self, form: Any) -> None:
        if self.process_errors:
            return
        allowed = {c.value for c in self.iter_choices() if c.value != ""}
        if self.data is not None and str(self.data) not in allowed:
            raise ValidationError(self.range_message)


class EvaluationForm(Form):
    held_on = DateField(
        _l("Datum van de evaluatie"),
        validators=[InputRequired(_l("Vul de datum van de evaluatie in.")), date_in_range],
    )
    participants = CheckboxesField(
        _l("Wie namen deel?"),
        choices=opts(
            [
                ("inwoner", _l("Inwoner")),
                ("gids", _l("Gids")),
                ("aanbieder", _l("Aanbieder")),
                ("netwerk", _l("Netwerk (familie, buren, vrijwilligers)")),
            ]
        ),
        validate_choice=False,
    )
    scores = GroupProblems()
    summary = TextAreaField(
        _l("Samenvatting"),
        validators=[DataRequired(_l("Vat de evaluatie kort samen.")), Length(max=TEXT_MAX)],
    )
    need_changed = RadioField(
        _l("Is de ondersteuningsbehoefte veranderd?"),
        choices=opts([("ja", _l("Ja")), ("nee", _l("Nee"))]),
        validators=[InputRequired(_l("Geef aan of de ondersteuningsbehoefte is veranderd."))],
    )
    zrm = GroupProblems()
    request_scaling = BooleanField(_l("Ook een verzoek om op- of afschalen indienen"))
    scaling_profile_id = SelectField(
        _l("Nieuw ondersteuningsprofiel"), coerce=optional_int, validate_choice=False
    )
    scaling_intensity = SelectField(
        _l("Nieuwe intensiteit"), choices=INTENSITY_CHOICES, validate_choice=False
    )
    scaling_reason = TextAreaField(
        _l("Reden voor op- of afschalen"), validators=[Optional(), Length(max=REASON_MAX)]
    )
    submit = SubmitField(_l("Evaluatie indienen"))

    # Filled in by ``evaluation_form``: (result, score field name, explanation field name).
    result_fields: list[tuple[Any, str, str]] = []
    zrm_fields: list[tuple[int, str]] = []

    def validate_participants(self, field: CheckboxesField) -> None:
        if any(value not in PARTICIPANTS for value in field.data or []):
            raise ValidationError(_l("Kies deelnemers uit de lijst."))
        if not field.data:
            raise ValidationError(_l("Geef aan wie aan de evaluatie deelnamen."))

    def validate_request_scaling(self, field: BooleanField) -> None:
        if not field.data and (self.scaling_reason.data or "").strip():
            raise ValidationError(
                _l("Vink dit aan om het verzoek in te dienen, of maak de reden leeg.")
            )

    def validate_scaling_intensity(self, field: SelectField) -> None:
        if self.request_scaling.data and field.data not in {i.value for i in Intensity}:
            raise ValidationError(_l("Kies een intensiteit."))

    def validate_scaling_profile_id(self, field: SelectField) -> None:
        if self.request_scaling.data and not field.data:
            raise ValidationError(_l("Kies een ondersteuningsprofiel."))

    def score_fields(self) -> list[tuple[Any, Field, Field]]:
        """(agreed result, score select, explanation) in the order of the results."""
        return [(r, self[score], self[text]) for r, score, text in self.result_fields]

    def zrm_selects(self) -> list[Field]:
        return [self[name] for _domain, name in self.zrm_fields]


def _gas_choices(result: Any) -> list[Any]:
    """−2 … +2 with their meaning and, where the gids described it, this result's level."""
    pairs: list[tuple[Any, Any]] = [("", _l("— kies een score —"))]
    for value, sign, meaning in GAS_LEVELS:
        described = gas_level_text(result, value)
        label = f"{sign} {meaning}" + (f": {described}" if described else "")
        pairs.append((value, label))
    return opts(pairs)


def evaluation_form(trajectory: Trajectory, **kwargs: Any) -> EvaluationForm:
    """The evaluation form for this trajectory: a score and an explanation per agreed result,
    and the ZRM domains when the trajectory uses the ZRM."""

    class TrajectoryEvaluationForm(EvaluationForm):
        pass

    result_fields = []
    for number, result in enumerate(trajectory.results, start=1):
        score_name, text_name = f"score_{result.id}", f"explanation_{result.id}"
        setattr(
            TrajectoryEvaluationForm,
            score_name,
            ScoreChoice(
                _l("Score voor resultaat %(n)s", n=number),
                choices=_gas_choices(result),
                message=_l("Kies een score van −2 tot en met +2."),
                validators=[InputRequired(_l("Kies een score voor dit resultaat."))],
            ),
        )
        setattr(
            TrajectoryEvaluationForm,
            text_name,
            TextAreaField(
                _l("Toelichting bij resultaat %(n)s", n=number),
                validators=[Optional(), Length(max=REASON_MAX)],
            ),
        )
        result_fields.append((result, score_name, text_name))
    TrajectoryEvaluationForm.result_fields = result_fields
    TrajectoryEvaluationForm.zrm_fields = add_zrm_fields(TrajectoryEvaluationForm, trajectory)
    return TrajectoryEvaluationForm(**kwargs)


def add_zrm_fields(form_class: type[Form], trajectory: Trajectory) -> list[tuple[int, str]]:
    """The 13 ZRM domains as selects on ``form_class`` when the trajectory uses the ZRM (the
    evaluation form, the start of care); returns (domain, field name) in domain order."""
    zrm_fields: list[tuple[int, str]] = []
    if not trajectory.uses_zrm:
        return zrm_fields
    levels = [(value, f"{value} {meaning}") for value, meaning in ZRM_LEVELS]
    choices = opts([("", _l("— geen score —")), *levels])
    for domain, label in enumerate(ZRM_DOMAIN_LABELS, start=1):
        name = f"zrm_{domain}"
        setattr(
            form_class,
            name,
            ScoreChoice(
                f"{domain}. {label}",
                choices=choices,
                message=_l("Kies een score van 1 tot en met 5."),
            ),
        )
        zrm_fields.append((domain, name))
    return zrm_fields


def zrm_given(form: Any) -> dict[int, int] | None:
    """The ZRM scores filled in on ``form`` (domain to score), None when none were."""
    zrm = {
        domain: form[name].data for domain, name in form.zrm_fields if form[name].data is not None
    }
    return zrm or None


class ScalingForm(Form):
    new_profile_id = SelectField(
        _l("Nieuw ondersteuningsprofiel"),
        coerce=optional_int,
        validate_choice=False,
        validators=[InputRequired(_l("Kies een ondersteuningsprofiel."))],
    )
    new_intensity = SelectField(
        _l("Nieuwe intensiteit"),
        choices=INTENSITY_CHOICES,
        validators=[InputRequired(_l("Kies een intensiteit."))],
    )
    reason = TextAreaField(
        _l("Reden"),
        validators=[
            InputRequired(_l("Geef een reden voor het op- of afschalen.")),
            Length(max=REASON_MAX),
        ],
    )
    submit = SubmitField(_l("Verzoek indienen"))


class EndOfCareForm(ClosingForm):
    care_end_label = _l("Laatste dag van de zorg")
    submit = SubmitField(_l("Einde zorg melden"))


class ClaimForm(Form):
    submit = SubmitField(_l("Declaratie indienen"))


class ResubmitClaimForm(Form):
    """A refused claim, corrected: the amount (at most what may be claimed) and what changed.
    Both are required by the workflow, whose messages come back at these fields."""

    amount = MoneyField(_l("Gecorrigeerd bedrag in euro"), validators=[Optional()])
    correction = TextAreaField(_l("Wat heeft u gecorrigeerd?"), validators=[Length(max=REASON_MAX)])
    submit = SubmitField(_l("Gecorrigeerd opnieuw indienen"))
