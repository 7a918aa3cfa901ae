"""Gids forms for running care: review an evaluation, decide on scaling requests, end-of-care
reports and claims, set the evaluation interval and the ZRM, open an extra evaluation (the last
one is shared with the provider screens). Field checks here; the rules live in workflows."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from models import ReviewOutcome
from workflows.evaluations import MAX_INTERVAL_MONTHS, MIN_INTERVAL_MONTHS

from ..formtools import Form, date_in_range, opts

REASON_MAX = 2000


class ReviewForm(Form):
    outcome = RadioField(
        _l("Beoordeling"),
        choices=opts(
            [
                (ReviewOutcome.AKKOORD.value, _l("Akkoord")),
                (ReviewOutcome.BESPREKEN.value, _l("Bespreken")),
            ]
        ),
        validators=[InputRequired(_l("Kies akkoord of bespreken."))],
    )
    remark = TextAreaField(_l("Opmerking"), validators=[Optional(), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Beoordeling opslaan"))


class DecisionForm(Form):
    """Yes or no with a reason (required for no); the choices' labels differ per subject."""

    YES = "ja"
    NO = "nee"
    yes_label = _l("Toekennen")
    no_label = _l("Afwijzen")

    decision = RadioField(_l("Besluit"), validators=[InputRequired(_l("Kies wat u besluit."))])
    reason = TextAreaField(
        _l("Reden (verplicht bij afwijzen)"), validators=[Optional(), Length(max=REASON_MAX)]
    )
    submit = SubmitField(_l("Besluit opslaan"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.decision.choices = opts([(self.YES, self.yes_label), (self.NO, self.no_label)])

    @property
    def accepted(self) -> bool:
        return self.decision.data == self.YES


class ScalingDecisionForm(DecisionForm):
    yes_label = _l("Toekennen: het traject wordt omgezet in een vervolgtraject")
    no_label = _l("Afwijzen")
    # Only for a request from a provider's 317: the reason code its 319 carries (the view fills
    # the choices from workflows.berichten.answers.REFUSAL_REASONS).
    refusal_code = SelectField(
        _l("Reden van afwijzing voor de aanbieder (bericht 319)"), validators=[Optional()]
    )


class EndOfCareDecisionForm(DecisionForm):
    yes_label = _l("Bevestigen: het traject wordt afgesloten")
    no_label = _l("Terugsturen naar de aanbieder")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.reason.label.text = _l("Reden (verplicht bij terugsturen)")


class ClaimDecisionForm(DecisionForm):
    yes_label = _l("Goedkeuren")
    no_label = _l("Afwijzen")


class EvaluationSettingsForm(Form):
    months = IntegerField(
        _l("Evaluatie-interval in maanden (leeg: standaard)"),
        validators=[
            Optional(),
            NumberRange(
                min=MIN_INTERVAL_MONTHS,
                max=MAX_INTERVAL_MONTHS,
                message=_l(
                    "Kies een interval van %(low)d tot en met %(high)d maanden.",
                    low=MIN_INTERVAL_MONTHS,
                    high=MAX_INTERVAL_MONTHS,
                ),
            ),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    uses_zrm = BooleanField(_l("Dit traject gebruikt de Zelfredzaamheid-Matrix (ZRM)"))
    submit = SubmitField(_l("Evaluatie-instellingen opslaan"))


class ExtraEvaluationForm(Form):
    reason = TextAreaField(
        _l("Waarom is een extra evaluatie nodig?"),
        validators=[
            InputRequired(_l("Geef aan waarom een extra evaluatie nodig is.")),
            Length(max=REASON_MAX),
        ],
    )
    due_on = DateField(
        _l("Uiterlijk te houden op"),
        validators=[InputRequired(_l("Vul de datum in.")), date_in_range],
    )
    submit = SubmitField(_l("Extra evaluatie plannen"))
