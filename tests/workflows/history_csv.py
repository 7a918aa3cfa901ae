# ruff: noqa: E501 - CSV records read best unbroken
"""Lines of the history import file (``workflows.stats.history``), for the import tests of the
workflows and of the beheerder's upload."""

from __future__ import annotations

from sqlalchemy.orm import Session

from workflows.stats.history import COLUMNS, check_import

from ..factories import TODAY

HEADER = ";".join(COLUMNS)
# import_id;bsn;geboortedatum;postcode;domein;productcategorie;profiel;intensiteit;aanbieder;
# aanmelddatum;besluitdatum;startdatum;geplande_einddatum;einddatum;trajectprijs;
# resultaat_behaald;afsluitcategorie;reden_beeindiging
CLOSED = "H-1;111222333;1950-05-05;8251AB;wmo;02;WMO-BG;middel;12345678;2020-01-06;2020-01-20;2020-02-03;2020-08-02;2020-07-31;3500,00;ja;a;19"
RUNNING = "H-2;123456782;2012-02-29;8251CD;jeugd;45;JZ-AMB;zwaar;12345678;;2021-03-01;2021-03-15;2021-12-31;;9000.00;;;"
NEW_PERSON = "H-3;100000009;2010-06-01;8251EF;jeugd;45;JZ-AMB;laag;12345678;;;;2026-12-31;;3000;;;"


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def history_row(**values: str) -> str:
    """A valid closed WMO row; ``values`` overrides columns by name."""
    row = {
        "import_id": "H-1",
        "bsn": "111222333",
        "geboortedatum": "1950-05-05",
        "postcode": "8251AB",
        "domein": "wmo",
        "productcategorie": "02",
        "profiel": "WMO-BG",
        "intensiteit": "middel",
        "aanbieder": "12345678",
        "aanmelddatum": "2021-01-04",
        "besluitdatum": "2021-01-18",
        "startdatum": "2021-02-01",
        "geplande_einddatum": "2021-07-31",
        "einddatum": "2021-07-30",
        "trajectprijs": "3800,00",
        "resultaat_behaald": "ja",
        "afsluitcategorie": "a",
        "reden_beeindiging": "19",
    }
    row.update(values)
    return ";".join(row[c] for c in COLUMNS)


JEUGD = {"domein": "jeugd", "productcategorie": "45", "profiel": "JZ-AMB",
         "reden_beeindiging": "31"}  # fmt: skip


def check_rows(session: Session, *lines: str, create_missing: bool = False):  # type: ignore[no-untyped-def]
    """The import check of a file with these lines under the header."""
    text = csv_text(*lines)
    return check_import(session, text, TODAY, create_missing=create_missing)
