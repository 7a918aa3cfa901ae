"""Texts for running care shared by the gids and provider screens: the Goal Attainment Scaling
levels, the Zelfredzaamheid-Matrix domains and levels, and template filters for the states of
evaluations, scaling requests, end-of-care reports and claims (labels from the workflows)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from models import (
    AgreedResult,
    ClaimState,
    EvaluationKind,
    EvaluationState,
    ReviewOutcome,
    SubmissionState,
    TaskKind,
)
from workflows.claims import CLAIM_STATE_LABELS
from workflows.closure import REPORT_STATE_LABELS
from workflows.evaluations import (
    EVALUATION_KIND_LABELS,
    EVALUATION_STATE_LABELS,
    REVIEW_OUTCOME_LABELS,
)
from workflows.inbox import TASK_LABELS
from workflows.scaling import SCALING_STATE_LABELS

# Goal Attainment Scaling: (score, sign as shown, meaning).
GAS_LEVELS: list[tuple[int, str, Any]] = [
    (-2, "−2", _l("veel minder dan verwacht")),
    (-1, "−1", _l("minder dan verwacht")),
    (0, "0", _l("verwacht niveau")),
    (1, "+1", _l("meer dan verwacht")),
    (2, "+2", _l("veel meer dan verwacht")),
]

# Zelfredzaamheid-Matrix 2017: domain 1…13 in the official order.
ZRM_DOMAIN_LABELS: list[Any] = [
    _l("Financiën"),
    _l("Werk & opleiding"),
    _l("Tijdsbesteding"),
    _l("Huisvesting"),
    _l("Huiselijke relaties"),
    _l("Geestelijke gezondheid"),
    _l("Lichamelijke gezondheid"),
    _l("Middelengebruik"),
    _l("Basale ADL"),
    _l("Instrumentele ADL"),
    _l("Sociaal netwerk"),
    _l("Maatschappelijke participatie"),
    _l("Justitie"),
]

ZRM_LEVELS: list[tuple[int, Any]] = [
    (1, _l("acute problematiek")),
    (2, _l("niet zelfredzaam")),
    (3, _l("beperkt zelfredzaam")),
    (4, _l("voldoende zelfredzaam")),
    (5, _l("volledig zelfredzaam")),
]


def gas_level_text(result: AgreedResult, score: int) -> str | None:
    """What the gids wrote for this level of this result, if anything."""
    attribute = {-2: "gas_minus2", -1: "gas_minus1", 0: "gas_zero", 1: "gas_plus1", 2: "gas_plus2"}
    text: str | None = getattr(result, attribute[score])
    return text


def gas_label(score: int | None) -> str:
    """ "+1 meer dan verwacht" for a stored score."""
    for value, sign, meaning in GAS_LEVELS:
        if value == score:
            return f"{sign} {meaning}"
    return "—"


def zrm_label(score: int | None) -> str:
    for value, meaning in ZRM_LEVELS:
        if value == score:
            return f"{value} {meaning}"
    return "—"


def register(app: Flask) -> None:
    @app.template_filter("evaluation_state")
    def evaluation_state(state: EvaluationState | str) -> str:
        return _(EVALUATION_STATE_LABELS[EvaluationState(state)])

    @app.template_filter("evaluation_kind")
    def evaluation_kind(kind: EvaluationKind | str) -> str:
        return _(EVALUATION_KIND_LABELS[EvaluationKind(kind)])

    @app.template_filter("review_outcome")
    def review_outcome(outcome: ReviewOutcome | str | None) -> str:
        return _(REVIEW_OUTCOME_LABELS[ReviewOutcome(outcome)]) if outcome else "—"

    @app.template_filter("scaling_state")
    def scaling_state(state: SubmissionState | str) -> str:
        return _(SCALING_STATE_LABELS[SubmissionState(state)])

    @app.template_filter("report_state")
    def report_state(state: SubmissionState | str) -> str:
        return _(REPORT_STATE_LABELS[SubmissionState(state)])

    @app.template_filter("claim_state")
    def claim_state(state: ClaimState | str) -> str:
        return _(CLAIM_STATE_LABELS[ClaimState(state)])

    @app.template_filter("task_label")
    def task_label(kind: Any) -> str:
        return _(TASK_LABELS[TaskKind(kind)])

    app.add_template_filter(gas_label, "gas")
    app.add_template_filter(zrm_label, "zrm")

    @app.context_processor
    def care_texts() -> dict[str, Any]:
        return {"ZRM_DOMAIN_LABELS": ZRM_DOMAIN_LABELS, "gas_level_text": gas_level_text}
