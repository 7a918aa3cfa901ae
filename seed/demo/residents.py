"""Residents and households as rows: a valid, unique BSN for every resident (the eleven test),
names that fit the year of birth, and the household's family name shared by most members.
"""

from __future__ import annotations

import random
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
