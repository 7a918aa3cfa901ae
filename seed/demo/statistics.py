"""What the beheerder keeps for the statistics: population figures per year and the months
marked as outliers, with their reasons.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from .catalogue import JEUGD, WMO

# Inhabitants on 1 January (about 41,500 in 2020, growing about 0.9 % a year) and households at
# 2.45 persons each, so 2,300 Wmo clients in care make the real order of about 100 households
# with a decision per 1,000 (docs/domain.md).
POPULATION_2020 = 41_500
POPULATION_GROWTH = 0.009
PERSONS_PER_HOUSEHOLD = 2.45
OUTLIER_MONTHS = (
    (JEUGD, date(2019, 1, 1), "Omzetting naar resultaatgericht werken: administratieve "
     "herbeschikkingen van lopende jeugdhulp per 1 januari."),
    (WMO, date(2019, 1, 1), "Invoering abonnementstarief: administratieve omzettingen van "
     "lopende hulp bij het huishouden."),
    (WMO, date(2021, 12, 1), "Jaarafsluiting in het oude systeem: trajecten administratief "
     "beëindigd en opnieuw beschikt."),
)  # fmt: skip


def population_rows(today: date) -> list[dict[str, Any]]:
    rows = []
    for year in range(2016, max(today.year, 2026) + 1):
        inhabitants = round(POPULATION_2020 * (1 + POPULATION_GROWTH) ** (year - 2020))
        households = round(inhabitants / PERSONS_PER_HOUSEHOLD)
        rows.append({"year": year, "inhabitants": inhabitants, "households": households})
    return rows


def outlier_rows(beheerder_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": n,
            "domain": domain.value,
            "month": month,
            "reason": reason,
            "created_by_id": beheerder_id,
            "created_at": datetime(2022, 1, 10, 9, 0, tzinfo=UTC),
        }
        for n, (domain, month, reason) in enumerate(OUTLIER_MONTHS, start=1)
    ]
