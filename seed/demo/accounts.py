"""The demo's accounts: the four demo logins, the team of gidsen and one planner per provider.

The four demo logins (``gids|aanbieder|manager|beheerder@demo.trajectwijzer.nl``) share the
password the caller passes, hashed once with ``workflows.users.hash_password``. Every other
account gets its own random secret from ``secrets`` (never from the seeded generator, so nobody
can recompute it), hashed with lighter Argon2id parameters: with 256 bits of entropy the cost
factor adds nothing, and the full cost would add seconds to every build.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import UTC, datetime
from typing import Any

import argon2
from faker import Faker

from models import Role
from workflows.users import hash_password

from .catalogue import PROVIDERS
from .texts import MID_GIVEN_F, MID_GIVEN_M

DEMO_EMAIL_DOMAIN = "demo.trajectwijzer.nl"

DEMO_USERS: dict[Role, str] = {
    Role.GIDS: "Sanne Visser",
    Role.AANBIEDER: "Mark de Boer",
    Role.MANAGER: "Ingrid Bosman",
    Role.BEHEERDER: "Ruud Kramer",
}
TEAM_SIZE = 10
DEMO_GIDS_SHARE = 0.15


def _ascii(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def user_rows(
    fake: Faker,
    password: str,
    demo_provider: int,
    provider_user: dict[int, int],
    manager_id: int,
    beheerder_id: int,
) -> list[dict[str, Any]]:
    demo_hash = hash_password(password)
    light = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    start = datetime(2016, 1, 4, 8, 0, tzinfo=UTC)

    def row(
        uid: int, email: str, name: str, role: Role, provider: int | None, pw_hash: str
    ) -> dict[str, Any]:
        return {
            "id": uid,
            "email": email,
            "name": name,
            "password_hash": pw_hash,
            "role": role.value,
            "provider_id": provider,
            "active": True,
            "created_at": start,
        }

    def random_hash() -> str:
        return light.hash(secrets.token_urlsafe(32))

    users = [row(1, f"gids@{DEMO_EMAIL_DOMAIN}", DEMO_USERS[Role.GIDS], Role.GIDS, None, demo_hash)]
    emails = {users[0]["email"]}
    while len(users) < TEAM_SIZE + 1:
        female = fake.random.random() < 0.75
        given = fake.random.choice(MID_GIVEN_F if female else MID_GIVEN_M)
        family = fake.last_name()
        email = f"{_ascii(given)}.{_ascii(family)}@dronten.example"
        if email in emails:
            continue
        emails.add(email)
        users.append(
            row(len(users) + 1, email, f"{given} {family}", Role.GIDS, None, random_hash())
        )
    users.append(
        row(
            manager_id,
            f"manager@{DEMO_EMAIL_DOMAIN}",
            DEMO_USERS[Role.MANAGER],
            Role.MANAGER,
            None,
            demo_hash,
        )
    )
    users.append(
        row(
            beheerder_id,
            f"beheerder@{DEMO_EMAIL_DOMAIN}",
            DEMO_USERS[Role.BEHEERDER],
            Role.BEHEERDER,
            None,
            demo_hash,
        )
    )
    for index, spec in enumerate(PROVIDERS):
        if index == demo_provider:
            users.append(
                row(
                    provider_user[index],
                    f"aanbieder@{DEMO_EMAIL_DOMAIN}",
                    DEMO_USERS[Role.AANBIEDER],
                    Role.AANBIEDER,
                    index + 1,
                    demo_hash,
                )
            )
        else:
            female = fake.random.random() < 0.6
            given = fake.random.choice(MID_GIVEN_F if female else MID_GIVEN_M)
            name = f"{given} {fake.last_name()}"
            users.append(
                row(
                    provider_user[index],
                    f"planner@{spec.slug}.example",
                    name,
                    Role.AANBIEDER,
                    index + 1,
                    random_hash(),
                )
            )
    return users
