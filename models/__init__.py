"""SQLAlchemy 2 typed models, one module per aggregate. Imports no Flask."""

from .aanmelding import Aanmelding
from .access_request import AccessRequest, AccessRequestState, RequesterRelation
from .audit import AuditEntry
from .base import Base, utcnow
from .catalogue import (
    HOUSEHOLD_HELP_CATEGORY,
    ProductCategory,
    ProfileIntensity,
    SupportProfile,
    Tariff,
)
from .change import EndOfCareReport, ScalingRequest
from .claim import Claim
from .enums import (
    AanmeldingOutcome,
    ClaimState,
    ClosureCategory,
    ContractRole,
    Domain,
    EvaluationKind,
    EvaluationState,
    EventAction,
    Intensity,
    NeedType,
    PromptStage,
    ReviewOutcome,
    Role,
    SubmissionState,
    TaskKind,
    TrajectoryState,
)
from .evaluation import ZRM_DOMAINS, Evaluation, ResultScore, ZrmScore
from .provider import Contract, Provider
from .reference import ChangeReason, EndReason, Wijk
from .resident import Household, Resident
from .security import LoginAttempt, RecoveryCode, UserSession
from .statistics import (
    KEY_BITS,
    KEY_MODULUS,
    UNIT_CLIENT,
    UNIT_TRAJECT,
    ApiToken,
    OutlierMonth,
    PopulationFigure,
    StatsDurationCount,
    StatsEpisode,
    StatsMonthlyCount,
    StatsRepeatCount,
    StatsResultCount,
    StatsTrajectory,
    derived_key,
    episode_key,
)
from .task import Task
from .trajectory import OPEN_STATES, AgreedResult, Trajectory, TrajectoryEvent
from .user import User

__all__ = [
    "KEY_BITS",
    "KEY_MODULUS",
    "derived_key",
    "episode_key",
    "AccessRequest",
    "AccessRequestState",
    "RequesterRelation",
    "UNIT_CLIENT",
    "UNIT_TRAJECT",
    "ApiToken",
    "OutlierMonth",
    "PopulationFigure",
    "StatsDurationCount",
    "StatsEpisode",
    "StatsMonthlyCount",
    "StatsRepeatCount",
    "StatsResultCount",
    "StatsTrajectory",
    "ZRM_DOMAINS",
    "Claim",
    "ClaimState",
    "EndOfCareReport",
    "Evaluation",
    "EvaluationKind",
    "EvaluationState",
    "EventAction",
    "SubmissionState",
    "ResultScore",
    "ReviewOutcome",
    "ScalingRequest",
    "Task",
    "TaskKind",
    "ZrmScore",
    "OPEN_STATES",
    "HOUSEHOLD_HELP_CATEGORY",
    "AgreedResult",
    "AuditEntry",
    "LoginAttempt",
    "RecoveryCode",
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
    "PromptStage",
    "ProductCategory",
    "ProfileIntensity",
    "Provider",
    "Aanmelding",
    "AanmeldingOutcome",
    "Resident",
    "Role",
    "SupportProfile",
    "Tariff",
    "Trajectory",
    "TrajectoryEvent",
    "TrajectoryState",
    "User",
    "UserSession",
    "Wijk",
    "utcnow",
]
