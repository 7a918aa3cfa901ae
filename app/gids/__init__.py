"""The gids's screens: caseload, residents and households, requests, trajectories.

Need to know (docs/domain.md): any gids of the team may look a resident or trajectory up; only the
trajectory's responsible gids may change it (others get 403). Concepts are invisible to providers.
"""

from flask import Blueprint

bp = Blueprint("gids", __name__)

from . import evaluation_views, residents, views  # noqa: E402,F401
