"""SQLAlchemy 2 typed models, one module per aggregate. Imports no Flask."""

from .base import Base, utcnow
from .catalogue import (
    HOUSEHOLD_HELP_CATEGORY,
    ProductCategory,
    ProfileIntensity,
    SupportProfile,
    Tariff,
)
from .enums import (
    ClosureCategory,
    ContractRole,
    Domain,
    Intensity,
    NeedType,
    RequestOutcome,
    Role,
    TrajectoryState,
)
from .provider import Contract, Provider
from .reference import ChangeReason, EndReason, Wijk
from .request import Request
from .resident import Household, Resident
from .trajectory import OPEN_STATES, AgreedResult, Trajectory, TrajectoryEvent
from .user import User

__all__ = [
    "OPEN_STATES",
    "HOUSEHOLD_HELP_CATEGORY",
    "AgreedResult",
    "Base",
    "ChangeReason",
    "ClosureCategory",
    "Contract",
    "ContractRole",
    "Domain",
    "EndReason",
    "Household",
    "Intensity",
    "NeedType",
    "ProductCategory",
    "ProfileIntensity",
    "Provider",
    "Request",
    "RequestOutcome",
    "Resident",
    "Role",
    "SupportProfile",
    "Tariff",
    "Trajectory",
    "TrajectoryEvent",
    "TrajectoryState",
    "User",
    "Wijk",
    "utcnow",
]
