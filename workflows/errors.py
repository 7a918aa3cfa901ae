"""Domain errors carry Dutch messages a gids can read.

Messages are message ids (Dutch source text with ``%(name)s`` placeholders) so the web layer can
translate them with gettext; ``N_`` only marks them for extraction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


def N_(message: str) -> str:  # noqa: N802 - conventional gettext marker name
    """Mark a message for translation without translating it here."""
    return message


@dataclass(frozen=True)
class Problem:
    message: str
    field: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    def render(self) -> str:
        return self.message % self.params if self.params else self.message


class DomainError(Exception):
    """A rule was broken. ``problems`` lists every broken rule, each optionally tied to a field."""

    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        self.problems: list[Problem] = [Problem(message, field, params)]
        super().__init__(self.problems[0].render())

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> DomainError:
        err = cls(problems[0].message, field=problems[0].field, **problems[0].params)
        err.problems = list(problems)
        return err

    def __str__(self) -> str:
        return "; ".join(p.render() for p in self.problems)


class NotFound(DomainError):
    """The record does not exist, or the caller may not know it exists."""


class VersionConflict(DomainError):
    """Someone else changed the record since the caller loaded it."""
