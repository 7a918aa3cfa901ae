"""The Wmo retours (302, 306, 308, 325) have no schema in the published set: they are the JW
ones in the iwmo namespaces. For the tests, the JW schema is rewritten into its Wmo twin in a
temporary folder beside the Wmo Basisschema (never in the repository), so a Wmo retour is
validated against the JW structure with the Wmo code lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import Domain
from workflows.berichten import codes
from workflows.berichten.schemas import Schemas

TWINS = ("302", "306", "308", "325")


def make_twins(xsd_dir: Path, target: Path) -> Path:
    (target / "jw").mkdir(parents=True, exist_ok=True)
    wmo = target / "wmo"
    wmo.mkdir(exist_ok=True)
    for source in (xsd_dir / "jw").iterdir():
        (target / "jw" / source.name).write_bytes(source.read_bytes())
    for source in (xsd_dir / "wmo").iterdir():
        (wmo / source.name).write_bytes(source.read_bytes())
    for kind in TWINS:
        text = (xsd_dir / "jw" / f"JW{kind}.xsd").read_text(encoding="utf-8")
        text = text.replace("/ijw/3_2/", "/iwmo/3_2/").replace(f"jw{kind}", f"wmo{kind}")
        jw_code = codes.BERICHT_CODES[(Domain.JEUGD, kind)]
        wmo_code = codes.BERICHT_CODES[(Domain.WMO, kind)]
        text = text.replace(f'pattern value="{jw_code}"', f'pattern value="{wmo_code}"')
        (wmo / f"WMO{kind}.xsd").write_text(text, encoding="utf-8")
    return target


_made: dict[Path, Schemas] = {}


def twin_schemas(xsd_dir: Path, factory: pytest.TempPathFactory) -> Schemas:
    """The published schemas (``xsd_dir``) plus the Wmo retours' twins, made once per run:
    every message of both domains the tests send is validated when it is queued
    (``store.queue_outgoing``)."""
    if xsd_dir not in _made:
        _made[xsd_dir] = Schemas(make_twins(xsd_dir, factory.mktemp("istandaarden")))
    return _made[xsd_dir]
