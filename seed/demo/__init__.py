"""The demo municipality: Dronten (about 41,500 inhabitants), from 2016 to today.

``build_demo`` fills an empty, migrated database with a deterministic, realistic data set; what
it builds and the modelling choices behind it are described in ``seed/README.md``.
"""

from .accounts import DEMO_EMAIL_DOMAIN
from .build import build_demo

__all__ = ["DEMO_EMAIL_DOMAIN", "build_demo"]
