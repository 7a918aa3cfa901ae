"""Residents and households as rows: a valid, unique BSN for every resident (the eleven test),
names that fit the year of birth, and the household's family name shared by most members; a
street address per household and a phone number for most residents (``contact_details``).
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from faker import Faker

from workflows.bsn import bsn_check_digit

from .catalogue import HISTORY_START
from .draws import draw_int, stamp
from .simulation import Home, Person
from .texts import MID_GIVEN_F, MID_GIVEN_M, OLD_GIVEN_F, OLD_GIVEN_M


def person_rows(
    rng: random.Random, fake: Faker, persons: list[Person], homes: list[Home]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    bsns: set[str] = set()
    residents = []
    for p in persons:
        while True:
            first_eight = f"{draw_int(rng, 1, 6)}{draw_int(rng, 0, 9_999_999):07d}"
            bsn = bsn_check_digit(first_eight)
            if bsn is not None and bsn != "000000000" and bsn not in bsns:
                bsns.add(bsn)
                break
        if p.birth.year < 1955 and rng.random() < 0.7:
            given = rng.choice(OLD_GIVEN_F if p.female else OLD_GIVEN_M)
        elif p.birth.year < 1995 and rng.random() < 0.6:
            given = rng.choice(MID_GIVEN_F if p.female else MID_GIVEN_M)
        else:
            given = fake.first_name_female() if p.female else fake.first_name_male()
        home = p.home
        if not home.family_name:
            home.family_name = fake.last_name()
            family = home.family_name
        else:
            family = home.family_name if rng.random() < 0.8 else fake.last_name()
        assert p.first_request is not None
        residents.append(
            {
                "id": p.id,
                "bsn": bsn,
                "given_name": given,
                "family_name": family,
                "birth_date": p.birth,
                "postcode": home.postcode,
                "wijk_id": home.wijk,
                "household_id": home.id,
                "created_at": stamp(rng, max(p.first_request, p.birth), None),
            }
        )
    households = [
        {
            "id": h.id,
            "gids_id": h.gids,
            "created_at": stamp(rng, h.created or HISTORY_START, None),
        }
        for h in homes
    ]
    return residents, households


# The area code of Dronten, Biddinghuizen and Swifterbant.
AREA_CODE = "0321"


def contact_details(
    seed: int, residents: list[dict[str, Any]], persons: list[Person], today: date
) -> None:
    """Add an address and a phone number to the resident rows, in the stored form
    (``workflows.residents``): the household's street and house number, shared by its members; a
    mobile number (06) for most residents of twelve and older, else the household's landline
    (0321) when it has one, else none. From a generator and a Faker of their own, seeded from
    ``seed``: deterministic, and every other demo row stays as it was before these existed."""
    rng = random.Random(seed * 1_299_709 + 5)
    fake = Faker("nl_NL")
    fake.seed_instance(seed * 1_299_709 + 5)
    homes: dict[int, tuple[str, str | None]] = {}
    for row, p in zip(residents, persons, strict=True):
        home = p.home
        if home.id not in homes:
            number = draw_int(rng, 1, 180)
            addition = rng.choice(("", "", "", "", "", "a", "b", "-1", "-2"))
            landline = (
                f"{AREA_CODE}{draw_int(rng, 300_000, 399_999)}" if rng.random() < 0.3 else None
            )
            homes[home.id] = (f"{fake.street_name()} {number}{addition}", landline)
        address, landline = homes[home.id]
        row["address"] = address
        twelve = date(p.birth.year + 12, p.birth.month, min(p.birth.day, 28))
        if twelve <= today and rng.random() < 0.85:
            row["phone"] = f"06{draw_int(rng, 10_000_000, 59_999_999)}"
        else:
            row["phone"] = landline
