"""The demo's catalogue: three kernen, twenty support profiles with their tariffs, twelve
providers with their contracts (two of them exchange iWmo/iJw messages, ``MESSAGE_PROVIDERS``).

Everything here is fixed data, not drawn. Each profile carries its allowed intensities with two
tariff versions ("2019" from 1-1-2019 to 31-12-2020, "2021" from 1-1-2021: price and standard
duration), its share of the domain's inflow, the share and mean duration of a lasting need, its
age bands and the family of texts (``texts.RESULTS``, ``texts.QUESTIONS``) it uses. A profile
whose trajectories are mostly lasting (more than half) has *blijvend* as its need type default;
the others have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from models import Channel, ContractRole, Domain, Intensity, NeedType
from workflows.eligibility import planned_end_default
from workflows.evaluations import DEFAULT_INTERVAL_MONTHS

WMO, JEUGD = Domain.WMO, Domain.JEUGD
L, M, Z = Intensity.LAAG, Intensity.MIDDEL, Intensity.ZWAAR

LAW_START = date(2015, 1, 1)  # Wmo 2015 and Jeugdwet
HISTORY_START = date(2016, 1, 1)
RESULT_ORIENTED = date(2019, 1, 1)
TARIFF_2021 = date(2021, 1, 1)


Prices = tuple[tuple[Intensity, str, int, str, int], ...]  # (intensity, € 2019, wk, € 2021, wk)


@dataclass(frozen=True)
class ProfileSpec:
    code: str
    name: str
    domain: Domain
    category: str
    prices: Prices
    weight: float  # share of the domain's inflow
    lasting: float  # share with a lasting need (blijvend)
    lasting_days: float  # mean duration of a lasting need
    ages: tuple[tuple[float, float, float, float], ...]  # (share, min, max, mode) in years
    family: str  # key into RESULTS / QUESTIONS
    mix: tuple[float, float, float] = (0.35, 0.45, 0.20)  # Wmo shares laag/middel/zwaar

    @property
    def intensities(self) -> list[Intensity]:
        return [p[0] for p in self.prices]

    @property
    def need_type_default(self) -> NeedType | None:
        return NeedType.BLIJVEND if self.lasting > 0.5 else None


OLD = ((0.9, 62, 98, 84), (0.1, 30, 65, 55))
PROFILES: tuple[ProfileSpec, ...] = (
    ProfileSpec("WMO-HH", "Hulp bij het huishouden", WMO, "01",
                ((L, "3120.00", 104, "4680.00", 156), (Z, "5720.00", 104, "6010.00", 104)),
                0.30, 0.6, 1450, OLD, "hh", (0.66, 0.0, 0.34)),
    ProfileSpec("WMO-HHR", "Hulp bij het huishouden met regie", WMO, "01",
                ((L, "3640.00", 104, "5460.00", 156), (Z, "6240.00", 104, "6550.00", 104)),
                0.05, 0.5, 1300, OLD, "hh", (0.55, 0.0, 0.45)),
    ProfileSpec("WMO-BGI", "Begeleiding individueel", WMO, "02",
                ((L, "2180.00", 26, "2290.00", 26), (M, "4350.00", 39, "4570.00", 39),
                 (Z, "7600.00", 52, "7980.00", 52)),
                0.20, 0.15, 1300, ((1.0, 18, 86, 44),), "bg"),
    ProfileSpec("WMO-BGJ", "Begeleiding jongvolwassenen (18–23)", WMO, "02",
                ((L, "2350.00", 39, "2470.00", 39), (M, "4600.00", 52, "4830.00", 52),
                 (Z, "7900.00", 52, "8300.00", 52)),
                0.03, 0.0, 900, ((1.0, 18, 23.5, 18.5),), "bgj"),
    ProfileSpec("WMO-PV", "Persoonlijke verzorging", WMO, "03",
                ((L, "1950.00", 52, "2050.00", 52), (M, "3900.00", 52, "4100.00", 52),
                 (Z, "6800.00", 52, "7140.00", 52)),
                0.06, 0.4, 1000, ((1.0, 40, 98, 82),), "pv"),
    ProfileSpec("WMO-KV", "Kortdurend verblijf (respijtzorg)", WMO, "04",
                ((M, "2900.00", 13, "3050.00", 13), (Z, "5400.00", 26, "5670.00", 26)),
                0.03, 0.1, 700, ((1.0, 60, 98, 85),), "kv", (0.0, 0.6, 0.4)),
    ProfileSpec("WMO-FIN", "Ondersteuning bij financiën en administratie", WMO, "06",
                ((L, "1400.00", 39, "1470.00", 39), (M, "2600.00", 52, "2730.00", 52)),
                0.07, 0.05, 900, ((1.0, 19, 80, 38),), "fin", (0.5, 0.5, 0.0)),
    ProfileSpec("WMO-DB", "Dagbesteding", WMO, "07",
                ((L, "2400.00", 52, "2520.00", 52), (M, "4300.00", 52, "4520.00", 52),
                 (Z, "6900.00", 52, "7250.00", 52)),
                0.12, 0.5, 1100, ((0.4, 18, 45, 24), (0.6, 58, 96, 80)), "db"),
    ProfileSpec("WMO-DBD", "Dagbesteding dementie", WMO, "07",
                ((M, "6200.00", 104, "6510.00", 104), (Z, "9400.00", 104, "9870.00", 104)),
                0.06, 0.95, 850, ((1.0, 60, 98, 83),), "dem", (0.0, 0.55, 0.45)),
    ProfileSpec("WMO-MW", "Maatwerkarrangement Wmo", WMO, "10",
                ((L, "3000.00", 26, "3150.00", 26), (M, "6000.00", 39, "6300.00", 39),
                 (Z, "9500.00", 52, "9980.00", 52)),
                0.04, 0.2, 1000, ((1.0, 18, 85, 45),), "mw"),
    ProfileSpec("JZ-AMB", "Jeugdhulp ambulant", JEUGD, "45",
                ((L, "3400.00", 26, "3570.00", 26), (M, "7050.00", 39, "7400.00", 39),
                 (Z, "11400.00", 52, "11970.00", 52)),
                0.30, 0.0, 0, ((1.0, 1, 17.8, 10),), "amb"),
    ProfileSpec("JZ-AMB-GGZ", "Ambulante jeugd-ggz", JEUGD, "54",
                ((L, "3850.00", 26, "4040.00", 26), (M, "7900.00", 39, "8300.00", 39),
                 (Z, "11300.00", 52, "11870.00", 52)),
                0.14, 0.0, 0, ((1.0, 4, 17.8, 13),), "ggz"),
    ProfileSpec("JZ-BGGZ", "Generalistische basis-ggz jeugd", JEUGD, "51",
                ((L, "1480.00", 13, "1550.00", 13), (M, "2750.00", 26, "2890.00", 26)),
                0.10, 0.0, 0, ((1.0, 6, 17.8, 14),), "ggz"),
    ProfileSpec("JZ-SGGZ", "Specialistische ggz jeugd", JEUGD, "52",
                ((M, "9900.00", 39, "10400.00", 39), (Z, "18400.00", 52, "19320.00", 52)),
                0.07, 0.0, 0, ((1.0, 6, 17.8, 14),), "ggz"),
    ProfileSpec("JZ-DB", "Dagbehandeling jeugd", JEUGD, "41",
                ((M, "20100.00", 52, "21100.00", 52), (Z, "30400.00", 52, "31920.00", 52)),
                0.05, 0.0, 0, ((1.0, 2, 13, 6),), "dbj"),
    ProfileSpec("JZ-VB", "Verblijf inclusief behandeling", JEUGD, "43",
                ((M, "41500.00", 52, "43580.00", 52), (Z, "56800.00", 78, "59640.00", 78)),
                0.025, 0.0, 0, ((1.0, 8, 17.5, 14),), "vb"),
    ProfileSpec("JZ-GH", "Gezinshuis (verblijf exclusief behandeling)", JEUGD, "44",
                ((M, "29500.00", 78, "30980.00", 78), (Z, "38400.00", 104, "40320.00", 104)),
                0.025, 0.0, 0, ((1.0, 3, 17.0, 10),), "vb"),
    ProfileSpec("JZ-CRISIS", "Crisishulp jeugd", JEUGD, "46",
                ((M, "4900.00", 6, "5150.00", 6), (Z, "9400.00", 12, "9870.00", 12)),
                0.03, 0.0, 0, ((1.0, 8, 17.8, 15),), "crisis"),
    ProfileSpec("JZ-PV", "Persoonlijke verzorging jeugd", JEUGD, "40",
                ((L, "2900.00", 52, "3050.00", 52), (M, "5700.00", 52, "5990.00", 52)),
                0.05, 0.25, 900, ((1.0, 0, 17.8, 6),), "pvj"),
    ProfileSpec("JZ-MW", "Maatwerkarrangement jeugd en gezin", JEUGD, "50",
                ((L, "4050.00", 26, "4250.00", 26), (M, "8100.00", 39, "8500.00", 39),
                 (Z, "11900.00", 52, "12500.00", 52)),
                0.17, 0.0, 0, ((1.0, 0, 17.8, 9),), "mwj"),
)  # fmt: skip
PROFILE_BY_CODE = {p.code: p for p in PROFILES}

# A second, parallel trajectory: which profiles go together.
SECOND_PROFILE: dict[str, tuple[str, ...]] = {
    "WMO-HH": ("WMO-PV", "WMO-DB", "WMO-DBD", "WMO-BGI", "WMO-KV"),
    "WMO-HHR": ("WMO-PV", "WMO-BGI", "WMO-DB"),
    "WMO-BGI": ("WMO-FIN", "WMO-DB", "WMO-HH"),
    "WMO-BGJ": ("WMO-FIN",),
    "WMO-PV": ("WMO-HH", "WMO-KV"),
    "WMO-KV": ("WMO-HH", "WMO-PV"),
    "WMO-FIN": ("WMO-BGI",),
    "WMO-DB": ("WMO-HH", "WMO-PV", "WMO-KV"),
    "WMO-DBD": ("WMO-HH", "WMO-PV", "WMO-KV"),
    "WMO-MW": ("WMO-HH", "WMO-FIN"),
    "JZ-AMB": ("JZ-PV", "JZ-MW", "JZ-BGGZ"),
    "JZ-AMB-GGZ": ("JZ-AMB", "JZ-MW"),
    "JZ-BGGZ": ("JZ-AMB",),
    "JZ-SGGZ": ("JZ-MW", "JZ-AMB"),
    "JZ-DB": ("JZ-PV", "JZ-MW"),
    "JZ-VB": ("JZ-SGGZ",),
    "JZ-GH": ("JZ-AMB-GGZ",),
    "JZ-CRISIS": ("JZ-AMB",),
    "JZ-PV": ("JZ-DB", "JZ-AMB"),
    "JZ-MW": ("JZ-AMB", "JZ-AMB-GGZ"),
}


@dataclass(frozen=True)
class ProviderSpec:
    name: str
    slug: str
    agb: str
    main: tuple[tuple[str, float], ...]  # (profile code, weight among the profile's providers)
    sub: tuple[str, ...] = ()  # profiles it holds a subcontractor contract for
    main_until: date | None = None  # its main contracts ended then

    @property
    def main_period(self) -> tuple[date, date | None]:
        """Its main contracts run from the transition (1-1-2015) to ``main_until`` or on."""
        return LAW_START, self.main_until


PROVIDERS: tuple[ProviderSpec, ...] = (
    ProviderSpec("Zorggroep Polderhart", "zorggroep-polderhart", "98102345",
                 (("WMO-HH", 4.5), ("WMO-HHR", 4.0), ("WMO-BGI", 2.0), ("WMO-PV", 5.0),
                  ("WMO-KV", 5.0), ("WMO-DB", 4.0), ("WMO-DBD", 6.0))),
    ProviderSpec("Thuishulp Wilgenweide", "thuishulp-wilgenweide", "98107713",
                 (("WMO-HH", 1.6),), main_until=date(2020, 12, 31)),
    ProviderSpec("Thuiszorg Ketelmeer", "thuiszorg-ketelmeer", "98114022",
                 (("WMO-HH", 2.6), ("WMO-HHR", 2.0), ("WMO-PV", 3.0))),
    ProviderSpec("Zuiderzee Begeleiding", "zuiderzee-begeleiding", "98121569",
                 (("WMO-BGI", 3.0), ("WMO-BGJ", 3.0), ("WMO-FIN", 2.0), ("WMO-MW", 3.0),
                  ("WMO-DB", 1.5))),
    ProviderSpec("Stichting Naast Elkaar Dronten", "naast-elkaar-dronten", "98133406",
                 (("WMO-BGI", 2.0), ("WMO-FIN", 3.0), ("WMO-MW", 1.0), ("JZ-MW", 2.0))),
    ProviderSpec("Jeugdhulp Kompasroos", "jeugdhulp-kompasroos", "98140017",
                 (("JZ-AMB", 5.0), ("JZ-MW", 4.0), ("JZ-CRISIS", 3.0), ("JZ-PV", 3.0))),
    ProviderSpec("Kinder- en Jeugdpsychologie Noorderlicht", "noorderlicht-jeugd", "94063120",
                 (("JZ-AMB-GGZ", 5.0), ("JZ-BGGZ", 4.0), ("JZ-SGGZ", 5.0))),
    ProviderSpec("Kinderhuis De Waterlinie", "kinderhuis-waterlinie", "98156281",
                 (("JZ-VB", 5.0), ("JZ-GH", 5.0), ("JZ-CRISIS", 2.0))),
    ProviderSpec("Dagbehandeling De Zandplaat", "dagbehandeling-zandplaat", "98162450",
                 (("JZ-DB", 5.0), ("WMO-DB", 1.0), ("JZ-PV", 1.0))),
    ProviderSpec("Gezinshuis Swifterweide", "gezinshuis-swifterweide", "98170934",
                 (), sub=("JZ-GH",)),
    ProviderSpec("Praktijk Lindeboom Jeugd & Gezin", "praktijk-lindeboom", "94071288",
                 (("JZ-AMB", 2.0), ("JZ-BGGZ", 2.0), ("JZ-MW", 1.5)), sub=("JZ-AMB-GGZ",)),
    ProviderSpec("Zorgcoöperatie Flevoweide", "zorgcooperatie-flevoweide", "98189375",
                 (("WMO-HH", 1.3), ("WMO-BGI", 1.0), ("WMO-PV", 1.0)), sub=("WMO-DB",)),
)  # fmt: skip
ENDED_PROVIDER = 1  # Thuishulp Wilgenweide: household help until 31-12-2020
# The providers whose client systems exchange iWmo/iJw messages (all their contracts are
# *berichtenverkeer*): one Wmo, one Jeugd. Never the demo provider, whose open work the demo
# login answers in the portal.
MESSAGE_PROVIDERS = ("98114022", "94071288")  # Thuiszorg Ketelmeer, Praktijk Lindeboom
# (profile, main provider index, subcontractor index, share of that main's trajectories)
SUBCONTRACTS: tuple[tuple[str, int, int, float], ...] = (
    ("JZ-GH", 7, 9, 0.35),
    ("JZ-AMB-GGZ", 6, 10, 0.10),
    ("WMO-DB", 0, 11, 0.06),
)

INTENSITY_ORDER = {L: 0, M: 1, Z: 2}  # scaling up is to a higher one

WIJKEN: tuple[tuple[str, float, tuple[int, ...]], ...] = (
    ("Dronten", 0.68, (8251, 8252, 8253)),
    ("Biddinghuizen", 0.17, (8256,)),
    ("Swifterbant", 0.15, (8255,)),
)


def standard_weeks(profile: ProfileSpec, intensity: Intensity, planned_start: date) -> int:
    for i, _p19, w19, _p21, w21 in profile.prices:
        if i == intensity:
            return w21 if planned_start >= TARIFF_2021 else w19
    raise ValueError(f"{intensity} not allowed for {profile.code}")


def default_end(
    profile: ProfileSpec, intensity: Intensity, planned_start: date, birth: date
) -> date:
    """The planned end a new trajectory gets (``workflows.eligibility.planned_end_default``): the
    standard duration from the planned start, capped at the decision's limit (Jeugd: the day
    before the 18th birthday, R6)."""
    return planned_end_default(
        profile.domain, birth, planned_start, standard_weeks(profile, intensity, planned_start)
    )


def catalogue_rows(
    tariff_ids: dict[tuple[str, Intensity, int], tuple[int, Decimal]],
    demo_provider: int,
) -> dict[str, list[dict[str, Any]]]:
    providers = [
        {"id": i + 1, "name": p.name, "agb_code": p.agb, "active": True, "imported": False}
        for i, p in enumerate(PROVIDERS)
    ]
    profiles: list[dict[str, Any]] = []
    intensities: list[dict[str, Any]] = []
    tariffs: list[dict[str, Any]] = []
    numbers: dict[str, int] = {}
    for i, p in enumerate(PROFILES):
        profile_id = i + 1
        numbers[p.category] = numbers.get(p.category, 0) + 1
        profiles.append(
            {
                "id": profile_id,
                "code": p.code,
                "name": p.name,
                "domain": p.domain.value,
                "category_code": p.category,
                # The rule migration 0032 fills existing profiles with: the category and the
                # profile's number within it ("02001", "02002").
                "product_code": f"{p.category}{numbers[p.category]:03d}",
                "active": True,
                "imported": False,
                "need_type_default": p.need_type_default and p.need_type_default.value,
            }
        )
        interval = DEFAULT_INTERVAL_MONTHS[p.domain]
        for intensity, p19, w19, p21, w21 in p.prices:
            intensities.append({"profile_id": profile_id, "intensity": intensity.value})
            for version, price, weeks, valid_from, valid_to in (
                (2019, p19, w19, RESULT_ORIENTED, date(2020, 12, 31)),
                (2021, p21, w21, TARIFF_2021, None),
            ):
                tariff_id = len(tariffs) + 1
                tariffs.append(
                    {
                        "id": tariff_id,
                        "profile_id": profile_id,
                        "intensity": intensity.value,
                        "valid_from": valid_from,
                        "valid_to": valid_to,
                        "price": Decimal(price),
                        "standard_duration_weeks": weeks,
                        "evaluation_interval_months": interval,
                    }
                )
                tariff_ids[(p.code, intensity, version)] = (tariff_id, Decimal(price))
    contracts = []
    for i, spec in enumerate(PROVIDERS):
        for code, _w in spec.main:
            contracts.append((i, code, ContractRole.HOOFDAANNEMER, spec.main_period))
        for code in spec.sub:
            contracts.append((i, code, ContractRole.ONDERAANNEMER, (LAW_START, None)))
    contract_rows = [
        {
            "id": n,
            "provider_id": i + 1,
            "profile_id": PROFILES.index(PROFILE_BY_CODE[code]) + 1,
            "role": role.value,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "channel": (
                Channel.BERICHTENVERKEER
                if PROVIDERS[i].agb in MESSAGE_PROVIDERS and i != demo_provider
                else Channel.PORTAAL
            ).value,
        }
        for n, (i, code, role, (valid_from, valid_to)) in enumerate(contracts, start=1)
    ]
    return {
        "providers": providers,
        "profiles": profiles,
        "intensities": intensities,
        "tariffs": tariffs,
        "contracts": contract_rows,
    }
