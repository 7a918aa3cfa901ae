"""A first anonymised figure for managers: trajectories in care per domain and product category.

Counts only, never a person; counts of 1…k−1 are suppressed (STATISTICS.md). The full statistics
(flows, durations, the pseudonymised feed) replace this with the statistics issue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ProductCategory, SupportProfile, Trajectory, TrajectoryState

SUPPRESSION_THRESHOLD = 5


@dataclass(frozen=True)
class CategoryCount:
    domain: str
    category_code: str
    category_name: str
    count: int | None  # None = suppressed


def in_care_by_category(
    session: Session, on: date, k: int = SUPPRESSION_THRESHOLD
) -> list[CategoryCount]:
    """Trajectories with care started on or before ``on`` and not ended before it."""
    rows = session.execute(
        select(
            ProductCategory.domain,
            ProductCategory.code,
            ProductCategory.name,
            func.count(Trajectory.id),
        )
        .join(SupportProfile, SupportProfile.category_code == ProductCategory.code)
        # An outer join, so a category of the catalogue with nobody in care shows 0.
        .outerjoin(
            Trajectory,
            (Trajectory.profile_id == SupportProfile.id)
            & Trajectory.state.in_((TrajectoryState.ACTIEF, TrajectoryState.AFGESLOTEN))
            & (Trajectory.care_start <= on)
            & ((Trajectory.care_end.is_(None)) | (Trajectory.care_end >= on)),
        )
        .group_by(ProductCategory.domain, ProductCategory.code, ProductCategory.name)
        .order_by(ProductCategory.domain, ProductCategory.code)
    ).all()
    result = [
        CategoryCount(str(d), code, name, n if n == 0 or n >= k else None)
        for d, code, name, n in rows
    ]
    # Secondary suppression per domain (the domain total is shown): if exactly one part is
    # suppressed, also suppress the next smallest. Never a zero: a hidden 0 beside a hidden 1
    # would leave the hidden sum equal to the suppressed count.
    for domain in {c.domain for c in result}:
        parts = [c for c in result if c.domain == domain]
        if sum(1 for c in parts if c.count is None) == 1:
            visible = sorted((c for c in parts if c.count), key=lambda c: c.count or 0)
            if visible:
                target = visible[0]
                result[result.index(target)] = CategoryCount(
                    target.domain, target.category_code, target.category_name, None
                )
    return result


def in_care_by_domain(
    session: Session, on: date, k: int = SUPPRESSION_THRESHOLD
) -> dict[str, int | None]:
    """Totals per domain on the same basis; a total below ``k`` is suppressed too."""
    rows = session.execute(
        select(Trajectory.domain, func.count(Trajectory.id))
        .where(
            Trajectory.state.in_((TrajectoryState.ACTIEF, TrajectoryState.AFGESLOTEN)),
            Trajectory.care_start <= on,
            (Trajectory.care_end.is_(None)) | (Trajectory.care_end >= on),
        )
        .group_by(Trajectory.domain)
    ).all()
    return {str(d): (n if n == 0 or n >= k else None) for d, n in rows}
