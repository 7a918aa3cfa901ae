"""The iWmo/iJw 3.2 facts the message exchange needs: which kinds of message go which way, their
BerichtCode per domain, namespaces and XSD versions, which message answers which, and the code
lists used (retour codes with their Dutch meanings, RedenWijziging, Verwijzer).

The values are the standard's (Basisschema and the message XSDs of release 3.2); the Wmo retour
schemas are not published in every set, but their codes and namespaces follow the same pattern.
"""

from __future__ import annotations

from models import Domain, ReferrerType

from ..errors import N_

# Kinds by direction (the standard's message numbers).
OUTGOING_KINDS = ("301", "306", "308", "316", "318", "319", "325")
INCOMING_KINDS = ("302", "305", "307", "315", "317", "320", "323")
KINDS = tuple(sorted(OUTGOING_KINDS + INCOMING_KINDS))

# A message and the retour (technical and functional answer) that acknowledges it.
RETOUR_OF: dict[str, str] = {
    "301": "302",
    "305": "306",
    "307": "308",
    "315": "316",
    "317": "318",
    "319": "320",
    "323": "325",
}
RETOUR_KINDS = frozenset(RETOUR_OF.values())

# BerichtCode per domain and kind.
BERICHT_CODES: dict[tuple[Domain, str], str] = {
    **{
        (Domain.JEUGD, kind): code
        for kind, code in {
            "301": "436",
            "302": "437",
            "305": "438",
            "306": "439",
            "307": "440",
            "308": "441",
            "315": "446",
            "316": "447",
            "317": "486",
            "318": "487",
            "319": "488",
            "320": "489",
            "323": "490",
            "325": "491",
        }.items()
    },
    **{
        (Domain.WMO, kind): code
        for kind, code in {
            "301": "414",
            "302": "415",
            "305": "418",
            "306": "419",
            "307": "420",
            "308": "421",
            "315": "444",
            "316": "445",
            "317": "480",
            "318": "481",
            "319": "482",
            "320": "483",
            "323": "484",
            "325": "485",
        }.items()
    },
}

BERICHT_VERSIE = "3"
BERICHT_SUBVERSIE = "2"
# The schema versions written in XsdVersie (BasisschemaXsdVersie, BerichtXsdVersie) when the
# configured schema folder does not say otherwise (``Schemas.versions``).
XSD_VERSIONS: dict[Domain, tuple[str, str]] = {
    Domain.JEUGD: ("0.1.0", "0.1.0"),
    Domain.WMO: ("1.0.0", "1.0.0"),
}

_STANDARD = {Domain.JEUGD: "ijw", Domain.WMO: "iwmo"}
_PREFIX = {Domain.JEUGD: "jw", Domain.WMO: "wmo"}
SCHEMA_FOLDER = {Domain.JEUGD: "jw", Domain.WMO: "wmo"}


def namespace(domain: Domain, kind: str) -> str:
    """The message's own namespace, e.g. http://www.istandaarden.nl/ijw/3_2/jw301/schema."""
    return f"http://www.istandaarden.nl/{_STANDARD[domain]}/3_2/{_PREFIX[domain]}{kind}/schema"


def basis_namespace(domain: Domain) -> str:
    """The Basisschema's namespace: the parts of composite data types live there."""
    return f"http://www.istandaarden.nl/{_STANDARD[domain]}/3_2/basisschema/schema"


def prefix(domain: Domain, kind: str | None = None) -> str:
    """The customary namespace prefix: ``jw301``, ``wmo306``; ``ijw``/``iwmo`` for the basis."""
    return f"{_PREFIX[domain]}{kind}" if kind else _STANDARD[domain]


def schema_file(domain: Domain, kind: str) -> str:
    """Where a schema lies in the configured folder: ``jw/JW301.xsd``, ``wmo/WMO301.xsd``."""
    return f"{SCHEMA_FOLDER[domain]}/{_PREFIX[domain].upper()}{kind}.xsd"


# Namespace → (domain, kind): how a received document says what it is.
KIND_OF_NAMESPACE: dict[str, tuple[Domain, str]] = {
    namespace(domain, kind): (domain, kind) for domain, kind in BERICHT_CODES
}

# Retour codes (LDT_RetourCode, the same list in both domains), with their meaning.
TECHNICAL = "0001"  # header: the message is refused as a whole
ACCEPTED = "0200"  # a part without remarks
NOT_JUDGED = "0233"  # a part that was not judged (another part made the message fail)
FUTURE_DATE = "8848"
NO_ASSIGNMENT = "9019"
DUPLICATE_IDENTIFICATION = "9056"
# The codes that are no error: a message whose parts carry only these is accepted.
NO_ERROR_CODES = frozenset({ACCEPTED, NOT_JUDGED})

RETOUR_CODES: dict[str, str] = {
    "0001": "Bericht is afgekeurd om technische redenen.",
    "0200": "Geen opmerking over deze berichtklasse.",
    "0233": "Berichtklasse is niet beoordeeld.",
    "0611": "Het ingediende tarief komt niet overeen met het contractuele tarief",
    "8001": "Declaratie is volledig toegewezen.",
    "8017": "Van deze credit prestatie is geen debet prestatie bekend.",
    "8021": "Referentienummer prestatie is reeds aangeleverd.",
    "8187": "De prestatie hoort niet bij deze client.",
    "8214": "DeclaratiePeriode is niet de kalendermaand die volgt op voorgaande "
    "DeclaratiePeriode terwijl iedere declaratieperiode zorg geleverd is.",
    "8848": "Dagtekening moet gelijk zijn aan of voor de systeemdatum liggen.",
    "9019": "Het regie bericht kan niet gekoppeld worden aan een toewijzing.",
    "9056": "Identificatie moet per berichtsoort uniek zijn voor de verzendende partij.",
    "9063": "Het bericht kan niet verwerkt worden omdat geen eerder bericht ontvangen is.",
    "9069": "Er is geen actueel startbericht met dezelfde sleutel.",
    "9071": "Het eerdere start bericht kan niet verwijderd worden omdat de zorg al beeindigd is",
    "9074": "Er is al een eerder bericht ontvangen met dezelfde sleutel.",
    "9307": "Begindatum prestatie ligt niet tussen de ingangsdatum en einddatum toewijzing",
    "9308": "Einddatum prestatie ligt niet tussen de ingangsdatum en einddatum toewijzing",
    "9319": "De ProductPeriode valt niet geheel binnen een DeclaratiePeriode.",
    "9321": "Het ingediende volume overschrijdt het toegewezen volume.",
    "9322": "De som van de ingediende volumes overschrijdt het toegewezen volume",
    "9326": "De actuele levering is nog niet gestopt met een Stopbericht.",
    "9332": "Toewijzing heeft geen uniek nummer binnen wettelijk domein.",
    "9333": "Declaratienummer is niet uniek",
    "9338": "Niet iedere prestatie in een declaratiebericht is gerelateerd aan een toegewezen "
    "product op basis van het toewijzingnummer",
    "9339": "ProductCategorie in de prestatie is niet gelijk aan ProductCategorie in het "
    "ToegewezenProduct.",
    "9340": "ProductCode in de Prestatie is niet gelijk aan ProductCode in het ToegewezenProduct.",
    "9341": "Eenheid in de Prestatie past niet bij Eenheid in het ToegewezenProduct",
    "9346": "Eenheid is ongelijk is aan waarde 83 (Euro's), maar IngediendBedrag is niet gelijk "
    "aan GeleverdVolume vermenigvuldigd met (het onafgeronde) ProductTarief.",
    "9347": "ReferentieAanbieder is niet uniek voor de aanbieder binnen het wettelijk domein",
    "9349": "Het VOW bericht bevat niet alle actuele toegewezen producten van de client, hetzij "
    "in OngewijzigdProduct, hetzij in TeWijzigenProduct",
    "9350": "OngewijzigdProduct is niet gerelateerd aan een actueel toegewezen product op basis "
    "van het toewijzingnummer.",
    "9351": "TeWijzigenProduct is niet gerelateerd aan een actuele toewijzing op basis van "
    "ToewijzingNummer.",
    "9355": "ReferentieAanbieder in het antwoordbericht komt niet voor in een eerder verzoek om "
    "toewijzing of verzoek om wijziging",
    "9357": "GewensteIngangsdatum is kleiner dan of gelijk aan de dagtekening, maar niet gelijk "
    "aan de ingangsdatum van het originele ToegewezenProduct.",
    "9359": "Er is al een toewijzing gestuurd met deze ReferentieAanbieder.",
    "9360": "Er is al een antwoordbericht met deze ReferentieAanbieder",
    "9361": "Het product komt vaker voor met overlappende zorgperiodes.",
    "9365": "Er komt al een antwoordbericht met dezelfde ReferentieAanbieder voor waar "
    "VerzoekAntwoord de waarde Nee heeft.",
    "9366": "ProductReferentie komt niet voor in een Declaratiebericht",
    "9367": "De waarde komt niet overeen met de waarde uit heenbericht met gelijke "
    "ProductReferentie",
    "9369": "Budget is meegegeven, maar de som van GeleverdVolume in alle ingediende Prestaties "
    "passen niet binnen het toegewezen Budget.",
    "9373": "Budget is gewijzigd, maar GewensteIngangsdatum is niet gelijk aan die in de "
    "actuele toewijzing",
    "9374": "Er is al een verzoek onderhanden.",
    "9375": "Omvang is gevuld, terwijl Product in toewijzing met ToewijzingNummer leeg is en "
    "Einddatum groter dan 31-12-2020 of leeg is",
    "9379": "ReferentieAanbieder refereert niet naar een verzoek om toewijzing of verzoek om "
    "wijziging, is onterecht gevuld",
    "9384": 'Declaratie op toewijzing met RedenWijziging "13" (Verwijderd)',
    "9385": "Toewijzing heeft goedgekeurde declaratieregels",
    "9387": "Begindatum van de ProductPeriode is niet eerste dag van de kalendermaand waarop "
    "ProductPeriode betrekking heeft en Ingangsdatum van de toewijzing ligt niet later in deze "
    "betreffende maand",
    "9388": "Einddatum van de ProductPeriode is niet laatste dag van de kalendermaand waarop "
    "ProductPeriode betrekking heeft en Einddatum van de toewijzing ligt niet eerder in deze "
    "betreffende maand.",
    "9389": "Deze prestatie heeft een debetprestatie zonder bijbehorende creditprestatie",
    "9390": "Er is al een Prestatie met gelijk ProductReferentie met waarde Credit",
    "9411": "Omvang is leeg, terwijl Code in Product bij de toewijzing met ToewijzingNummer "
    "gevuld is.",
    "9412": "Omvang is niet leeg, terwijl Code in Product bij de toewijzing met "
    "ToewijzingNummer leeg is en einddatum groter dan 31-12-2020 of leeg is",
    "9413": "RedenBeeindiging heeft waarde 20, terwijl er al een ander StopProduct met hetzelfde "
    "Bsn, ToewijzingNummer, Begindatum en RedenBeeindiging waarde 20 is.",
    "9414": "Einddatum is niet >= aan Einddatum uit actuele StopProduct met gelijk Bsn, "
    "ToewijzingNummer en Begindatum",
    "9415": "Er is StopProduct met gelijk Bsn, ToewijzingNummer, Begindatum en "
    "RedenBeeindiging <> waarde 20",
    "S300": "Gemeentecode komt niet voor in de lijst van CBS.",
    "S329": "ProductCode hoort niet bij de ProductCategorie.",
}


def meaning(code: str) -> str:
    """The Dutch meaning of a retour code, or the code itself when it is not in the list."""
    return RETOUR_CODES.get(code, f"Retourcode {code}")


# RedenWijziging (LDT_RedenWijziging; the trajectories' change reasons are reference data too).
EXTENSION = "04"  # herbeoordeling: verlenging toewijzing
SHORTENED = "05"  # herbeoordeling: verkorting toewijzing (the old one when scaling)
DELETED = "13"  # verwijderd (a cancelled toewijzing)
CHANGE_REASONS: dict[str, str] = {
    EXTENSION: "Herbeoordeling: verlenging toewijzing",
    SHORTENED: "Herbeoordeling: verkorting toewijzing",
    DELETED: "Verwijderd",
}

# Fixed values of the 301 (see docs/berichten.md).
GESLACHT_ONBEKEND = "0"  # the resident's sex is not recorded
NAAMGEBRUIK_EIGEN = "1"  # eigen naam
ADRES_BRP = "01"  # BRP-adres
EENHEID_EURO = "83"  # Euro's
FREQUENTIE_TOTAAL = "6"  # totaal binnen geldigheidsduur toewijzing
PRODUCT_CODE_MAX = 5  # LDT_ProductCode

# Verwijzer (LDT_TypeVerwijzer), labels for the forms.
REFERRER_LABELS: dict[ReferrerType, str] = {
    ReferrerType.GEMEENTE: N_("Gemeente"),
    ReferrerType.HUISARTS: N_("Huisarts"),
    ReferrerType.JEUGDARTS: N_("Jeugdarts"),
    ReferrerType.GECERTIFICEERDE_INSTELLING: N_("Gecertificeerde instelling"),
    ReferrerType.MEDISCH_SPECIALIST: N_("Medisch specialist"),
    ReferrerType.ZELFVERWIJZER: N_("Zelfverwijzer / geen verwijzer"),
    ReferrerType.RECHTER: N_(
        "Rechter, officier van justitie, functionaris justitiële jeugdinrichting"
    ),
}
REFERRER_NAME_MAX = 64  # LDT_NaamVerwijzer
