"""Every state column is kept to its enum by a check constraint built from the enum (``str_enum``),
as is a trajectory event's action."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Enum

from models import Base, EventAction

STATE_COLUMNS = [
    column
    for table in Base.metadata.sorted_tables
    for column in table.columns
    if column.name in {"state", "old_state", "new_state", "outcome", "action"}
    # What a user did in the app (workflows.audit) or to the configuration (workflows.config_log):
    # a label of a log entry, not a state.
    and table.name not in {"audit_log", "config_changes"}
]


def test_the_state_columns_are_found() -> None:
    names = {f"{c.table.name}.{c.name}" for c in STATE_COLUMNS}
    assert {
        "trajectories.state",
        "evaluations.state",
        "claims.state",
        "scaling_requests.state",
        "end_of_care_reports.state",
        "requests.outcome",
        "access_requests.state",
        "trajectory_events.action",
        "trajectory_events.old_state",
        "trajectory_events.new_state",
    } <= names


@pytest.mark.parametrize("column", STATE_COLUMNS, ids=lambda c: f"{c.table.name}.{c.name}")
def test_a_state_column_is_a_string_checked_against_its_enum(column: Column[object]) -> None:
    assert isinstance(column.type, Enum)
    assert column.type.native_enum is False
    assert column.type.create_constraint is True
    assert column.type.enums == [m.value for m in column.type.enum_class]


def test_the_event_action_column_holds_every_event_action() -> None:
    column = Base.metadata.tables["trajectory_events"].c.action
    assert isinstance(column.type, Enum)
    assert column.type.enum_class is EventAction
