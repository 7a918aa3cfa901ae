"""Provider screens: the organisation's proposals and trajectories; accept or return a proposal;
register the start of care. A provider user never sees another organisation's trajectory (404).
A subcontractor sees the trajectories it is named on, read-only; the main contractor acts."""

from flask import Blueprint

bp = Blueprint("aanbieder", __name__)

from . import claims, evaluation_views, views  # noqa: E402,F401
