"""The OpenAPI 3.1 document of ``/api/v1`` (served at ``/api/v1/openapi.json``).

Schemas are JSON Schema 2020-12 (OpenAPI 3.1), strict (``additionalProperties: false``), and the
tests validate every answer against them, so the document cannot drift from the code."""

from __future__ import annotations

from typing import Any

from workflows.stats.feed import AGE_BAND_CODES
from workflows.stats.selection import (
    BASES,
    FILTER_NAMES,
    MAX_MONTHS,
    UNITS,
    WAIT_BAND_CODES,
    WAIT_STAGES,
)

from ..council import DEFINITIONS

MONTH = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "examples": ["2021-04"]}
COUNT = {
    "type": "integer",
    "minimum": 0,
    "description": "perturbed by the cell key method: the same cell always gives the same "
    "value, within `disclosure.max_deviation` of the exact count; a count 0 < n < k is "
    "published as 0 or as k or more",
}
NUMBER = {"type": ["number", "null"]}
AMOUNT = {
    "type": ["number", "null"],
    "description": "euros, whole: moved by between ½ and `disclosure.max_deviation` times the "
    "cell's mean amount, fixed by the cell key; null (named in `suppressed`) over 1…k−1 "
    "trajectories",
}
MONEY = {
    "type": "object",
    "properties": {"n": COUNT, "amount": AMOUNT},
    "required": ["n", "amount"],
    "additionalProperties": False,
}
FINANCE_FLOWS = {
    "new_commitments": MONEY,
    "claimed": MONEY,
    "approved": MONEY,
    "refused": MONEY,
    "tariff": {
        "type": "object",
        "properties": {"n": COUNT, "deviating": COUNT, "share_deviating": NUMBER},
        "required": ["n", "deviating", "share_deviating"],
        "additionalProperties": False,
    },
}
SUPPRESSED = {"type": "array", "items": {"type": "string"}}


def _object(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
        **extra,
    }


def _header(unit: list[str]) -> dict[str, Any]:
    return {
        "unit": {"type": "string", "enum": unit},
        "domain": {"type": ["string", "null"], "enum": ["wmo", "jeugd", None]},
        "from": MONTH,
        "to": MONTH,
        "filters": _object({name: {"type": ["string", "null"]} for name in FILTER_NAMES}),
        "suppression_threshold": {"type": "integer", "minimum": 2},
        "cutoff": MONTH,
        "disclosure": _object(
            {
                "method": {"type": "string", "enum": ["cell key", "exact"]},
                "max_deviation": {"type": "integer", "minimum": 0},
                "variance": {"type": "number", "minimum": 0},
                "notice": {"type": "string"},
            }
        ),
    }


WAIT = _object({"n": COUNT, "mean_days": NUMBER, "median_days": NUMBER})
WAIT_STAGE = {
    **_object({"total": COUNT, "bands": _object({band: COUNT for band in WAIT_BAND_CODES})}),
    "type": ["object", "null"],
    "description": "null when the filters do not apply to the stage (a request without a "
    "decision has no category, profile, intensity or provider)",
}
WAITING_LIST = _object(
    {
        "reference_date": {"type": "string", "format": "date"},
        "bands": {"type": "array", "items": {"type": "string", "enum": list(WAIT_BAND_CODES)}},
        "stages": _object({stage: WAIT_STAGE for stage in WAIT_STAGES}),
        "total": {**COUNT, "type": ["integer", "null"]},
        "not_applicable": SUPPRESSED,
    },
    description="those waiting at the reference date (the cut-off date, whatever the period), "
    "by stage and age of the wait in weeks; every band, stage total and the total are cells "
    "of their own",
)

WAIT_SURVIVAL = {
    **_object(
        {
            "n": COUNT,
            "ended": COUNT,
            "censored": COUNT,
            "km_median_days": {"type": ["integer", "null"]},
            "suppressed": SUPPRESSED,
        }
    ),
    "type": ["object", "null"],
    "description": "the waits of the stage that began in the period: ended by the reference "
    "date, or still waiting then (censored there); the Kaplan–Meier median in days (null "
    "while half are still waiting, or hidden over fewer than k waits); null when the filters "
    "do not apply to the stage",
}
CENSORED_WAITS = _object(
    {
        "reference_date": {"type": "string", "format": "date"},
        "stages": _object({stage: WAIT_SURVIVAL for stage in WAIT_STAGES}),
        "not_applicable": SUPPRESSED,
    },
    description="waiting times with those still waiting censored at the reference date",
)
UNMET_CELLS = _object({"refused": COUNT, "no_follow_up": COUNT, "total": COUNT})
UNMET_DEMAND = {
    **_object(
        {
            "months": {
                "type": "array",
                "items": _object(
                    {"month": MONTH, "refused": COUNT, "no_follow_up": COUNT, "total": COUNT}
                ),
            },
            "period": UNMET_CELLS,
        }
    ),
    "type": ["object", "null"],
    "description": "requests refused or closed without follow-up, per month of that decision "
    "and for the period, every count (totals too) a cell of its own; null when a filter only "
    "a trajectory has is set",
}

SCORECARD_COLUMN = {
    "closed": COUNT,
    "achieved_on_time": COUNT,
    "achieved_late": COUNT,
    "category_b": COUNT,
    "category_d": COUNT,
    "returned": COUNT,
    "scaling_requests": COUNT,
    "share_achieved_on_time": NUMBER,
    "share_achieved_late": NUMBER,
    "share_category_b": NUMBER,
    "share_category_d": NUMBER,
    "achieved": COUNT,
    "price_per_achieved_result": NUMBER,
    "decision_to_start": _object(
        {
            "n": COUNT,
            "ended": COUNT,
            "censored": COUNT,
            "km_median_days": {"type": ["integer", "null"]},
        },
        description="the waits from decision to start of the trajectories decided in the "
        "period, the still-waiting censored; a hidden median is named in the column's "
        "`suppressed` (`decision_to_start.km_median_days`)",
    ),
    "suppressed": SUPPRESSED,
}

SIDES = ("last_year", "this_year")
COUNCIL_ROW = _object(
    {
        "figure": {"type": "string", "enum": list(DEFINITIONS)},
        "label": {"type": "string"},
        "unit": {"type": "string", "enum": sorted({unit for _l, unit, _d in DEFINITIONS.values()})},
        "last_year": NUMBER,
        "this_year": NUMBER,
        "difference": {
            **NUMBER,
            "description": "this year's published value minus last year's; null when either "
            "is null or hidden",
        },
        "suppressed": {"type": "array", "items": {"type": "string", "enum": list(SIDES)}},
        "commentary": {"type": ["string", "null"]},
    }
)
COUNCIL_DOMAIN = _object(
    {
        "domain": {"type": "string", "enum": ["wmo", "jeugd"]},
        "rows": {"type": "array", "items": COUNCIL_ROW},
        "flow_months": _object(
            {
                side: _object(
                    {
                        "months_counted": {"type": "integer", "minimum": 0},
                        "excluded_months": {"type": "array", "items": MONTH},
                    }
                )
                for side in SIDES
            }
        ),
    }
)
SCHEMAS: dict[str, Any] = {
    "Council": _object(
        {
            "year": {"type": "integer"},
            "last_month": {"type": "integer", "minimum": 1, "maximum": 12},
            "partial": {"type": "boolean"},
            "labels": _object({side: {"type": "string"} for side in SIDES}),
            **{
                name: schema
                for name, schema in _header(["traject"]).items()
                if name in ("suppression_threshold", "cutoff", "disclosure")
            },
            "domains": {"type": "array", "items": COUNCIL_DOMAIN},
            "definitions": {
                "type": "array",
                "items": _object(
                    {
                        "figure": {"type": "string"},
                        "label": {"type": "string"},
                        "definition": {"type": "string"},
                    }
                ),
            },
        },
        description="the council report: per domain the published values of year Y and Y − 1 "
        "(January up to the cut-off month of both when Y is the current year), their "
        "difference and the managers' commentary. The figures (Dutch definitions): "
        + "; ".join(f"`{key}`: {text}" for key, (_label, _unit, text) in DEFINITIONS.items()),
    ),
    "Error": _object(
        {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "problems": {
                "type": "array",
                "items": _object(
                    {"parameter": {"type": ["string", "null"]}, "message": {"type": "string"}}
                ),
            },
        }
    ),
    "Flows": _object(
        {
            **_header(list(UNITS)),
            "months": {
                "type": "array",
                "items": _object(
                    {
                        "month": MONTH,
                        "beginstand": COUNT,
                        "instroom": COUNT,
                        "uitstroom": COUNT,
                        "eindstand": COUNT,
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
            "yearly": {
                "type": "array",
                "items": _object(
                    {
                        "year": {"type": "integer"},
                        "months_counted": {"type": "integer", "minimum": 0},
                        "excluded_months": {"type": "array", "items": MONTH},
                        "mean_instroom": NUMBER,
                        "mean_uitstroom": NUMBER,
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
        }
    ),
    "Intensity": _object(
        {
            **_header(["traject"]),
            "basis": {"type": "string", "enum": list(BASES)},
            "months": {
                "type": "array",
                "items": _object(
                    {
                        "month": MONTH,
                        "counts": _object({i: COUNT for i in ("laag", "middel", "zwaar")}),
                        "shares": _object({i: NUMBER for i in ("laag", "middel", "zwaar")}),
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
        }
    ),
    "Durations": _object(
        {
            **_header(list(UNITS)),
            "ended": _object({"n": COUNT, "mean_days": NUMBER, "median_days": NUMBER}),
            "cohorts": {
                "type": "array",
                "items": _object(
                    {
                        "year": {"type": "integer"},
                        "n": COUNT,
                        "ended": COUNT,
                        "censored": COUNT,
                        "km_median_days": {"type": ["integer", "null"]},
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
            "suppressed": SUPPRESSED,
        }
    ),
    "WaitingTimes": _object(
        {
            **_header(["traject"]),
            "waiting_now": {
                **COUNT,
                "description": "the same cell as `waiting_list.stages.decision.total`",
            },
            "waiting_list": WAITING_LIST,
            "months": {
                "type": "array",
                "items": _object(
                    {
                        "month": MONTH,
                        "request_to_decision": WAIT,
                        "decision_to_start": WAIT,
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
            "censored_waits": CENSORED_WAITS,
            "unmet_demand": UNMET_DEMAND,
            "suppressed": SUPPRESSED,
        }
    ),
    "Scorecard": _object(
        {
            **_header(["traject"]),
            "providers": {
                "type": "array",
                "items": _object(
                    {
                        "agb": {"type": "string"},
                        "name": {"type": "string"},
                        **SCORECARD_COLUMN,
                    }
                ),
            },
            "municipality": _object(SCORECARD_COLUMN),
        },
        description="every provider of the catalogue side by side, and the municipality (all "
        "providers together: its counts are cells of their own, its shares pooled)",
    ),
    "Results": _object(
        {
            **_header(["traject"]),
            "closed": COUNT,
            "result": _object(
                {
                    "achieved_on_time": COUNT,
                    "share_achieved_on_time": NUMBER,
                    "achieved_late": COUNT,
                    "share_achieved_late": NUMBER,
                    "not_achieved": COUNT,
                    "share_not_achieved": NUMBER,
                }
            ),
            "categories": _object({c: COUNT for c in "abcd"}),
            "category_shares": _object({c: NUMBER for c in "abcd"}),
            "extensions": _object({"active": COUNT, "extensions": COUNT, "per_100_active": NUMBER}),
            "repeat": _object(
                {
                    "years": {"type": "integer"},
                    "new_episodes": COUNT,
                    "repeat_episodes": COUNT,
                    "share": NUMBER,
                }
            ),
            "years": {
                "type": "array",
                "items": _object(
                    {
                        "year": {"type": "integer"},
                        "clients_started": COUNT,
                        "price_total": NUMBER,
                        "mean_price_per_client": NUMBER,
                        "clients_in_care": COUNT,
                        "inhabitants": {"type": ["integer", "null"]},
                        "clients_per_1000_inhabitants": NUMBER,
                        "households_with_decision": COUNT,
                        "households": {"type": ["integer", "null"]},
                        "households_per_1000_households": NUMBER,
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
            "suppressed": SUPPRESSED,
        }
    ),
    "Finance": _object(
        {
            **_header(["traject"]),
            "claim_policy": {"type": "string", "enum": ["pro_rata", "niets"]},
            "months": {
                "type": "array",
                "items": _object(
                    {
                        "month": MONTH,
                        "committed": MONEY,
                        **FINANCE_FLOWS,
                        "suppressed": SUPPRESSED,
                    }
                ),
            },
            "totals": _object({**FINANCE_FLOWS, "suppressed": SUPPRESSED}),
            "budget": _object(
                {
                    "year": {"type": "integer"},
                    "through": MONTH,
                    "months_remaining": {"type": "integer", "minimum": 0},
                    "basis_from": MONTH,
                    "basis_to": MONTH,
                    "applicable": {"type": "boolean"},
                    "rows": {
                        "type": "array",
                        "items": _object(
                            {
                                "domain": {"type": "string", "enum": ["wmo", "jeugd"]},
                                "category": {"type": ["string", "null"]},
                                "name": {"type": "string"},
                                "budget": NUMBER,
                                "committed": MONEY,
                                "claimed": MONEY,
                                "basis": MONEY,
                                "inflow_per_month": NUMBER,
                                "mean_price": NUMBER,
                                "forecast": NUMBER,
                                "exceeds": {"type": ["boolean", "null"]},
                                "over_budget": NUMBER,
                                "suppressed": SUPPRESSED,
                            }
                        ),
                    },
                }
            ),
            "expected": _object(
                {
                    "from": MONTH,
                    "months": {
                        "type": "array",
                        "items": _object(
                            {
                                "month": MONTH,
                                "n": COUNT,
                                "amount": AMOUNT,
                                "suppressed": SUPPRESSED,
                            }
                        ),
                    },
                    "total": MONEY,
                    "suppressed": SUPPRESSED,
                }
            ),
        }
    ),
}


def _parameter(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _parameters(figure: str) -> list[dict[str, Any]]:
    text = {"type": "string", "maxLength": 100}
    parameters = [
        _parameter("from", "First month, YYYY-MM (default: 35 months before `to`).", MONTH),
        _parameter(
            "to",
            f"Last month, YYYY-MM (default: the cut-off, the last complete month); at most "
            f"{MAX_MONTHS} months in all.",
            MONTH,
        ),
        _parameter(
            "domain", "wmo or jeugd (default: both).", {"type": "string", "enum": ["wmo", "jeugd"]}
        ),
    ]
    if figure == "providers":  # a period and a domain only
        return parameters
    if figure == "council":  # a year and a domain only
        return [
            _parameter(
                "year",
                "The year Y, YYYY (default: the last complete calendar year up to the cut-off); "
                "the current year compares January up to the cut-off month of Y and Y − 1.",
                {"type": "string", "pattern": r"^\d{4}$"},
            ),
            parameters[2],
        ]
    if figure in ("flows", "durations"):
        parameters.append(
            _parameter(
                "unit",
                "traject (each trajectory) or client (episodes per client and domain).",
                {"type": "string", "enum": list(UNITS)},
            )
        )
    if figure == "intensity":
        parameters.append(
            _parameter(
                "basis", "eindstand (default) or instroom.", {"type": "string", "enum": list(BASES)}
            )
        )
    parameters += [
        _parameter("category", "Product category code, e.g. 45.", text),
        _parameter("profile", "Support profile code.", text),
        _parameter(
            "intensity",
            "laag, middel or zwaar.",
            {"type": "string", "enum": ["laag", "middel", "zwaar"]},
        ),
        _parameter("provider", "AGB code of the provider (8 digits).", text),
        _parameter("wijk", "Name of the wijk/kern.", text),
        _parameter("age_band", "Age band.", {"type": "string", "enum": list(AGE_BAND_CODES)}),
    ]
    return parameters


PATHS = {
    "flows": ("Flows", "Monthly beginstand, instroom, uitstroom and eindstand; yearly means."),
    "intensity": ("Intensity", "Trajectories per intensity per month, with shares."),
    "durations": ("Durations", "Care durations; Kaplan–Meier median per start-year cohort."),
    "waiting-times": (
        "WaitingTimes",
        "Days request→decision and decision→start by month, the waiting list now, the waits "
        "with the still-waiting censored, and the unmet demand per month.",
    ),
    "results": ("Results", "Result rate, closure categories, extensions, repeat use, cost, rates."),
    "finance": (
        "Finance",
        "Committed spend, claims submitted/approved/refused, deviations from the tariff, "
        "expected claims.",
    ),
    "council": (
        "Council",
        "The council report: per domain year Y beside Y − 1, with the difference, the "
        "commentary and the definitions.",
    ),
    "providers": (
        "Scorecard",
        "Per provider for a period: closed, result on time and late, categories b and d, "
        "waits from decision to start, returned proposals, scaling requests, price per "
        "achieved result; and the municipality's.",
    ),
}


def openapi_document() -> dict[str, Any]:
    def error(description: str) -> dict[str, Any]:
        return {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }

    paths: dict[str, Any] = {}
    for figure, (schema, summary) in PATHS.items():
        paths[f"/api/v1/stats/{figure}"] = {
            "get": {
                "operationId": f"stats_{figure.replace('-', '_')}",
                "summary": summary,
                "security": [{"bearer": []}],
                "parameters": _parameters(figure),
                "responses": {
                    "200": {
                        "description": "The figure, anonymised (counts 1…k−1 are null).",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                    "400": error("A parameter is wrong; `problems` names each."),
                    "401": error("No valid bearer token."),
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Trajectwijzer statistieken",
            "version": "1",
            "description": (
                "Anonymised throughput statistics (docs/statistics.md). A beheerder issues the "
                "bearer tokens; counts are perturbed by the cell key method (see "
                "`disclosure`); means over fewer than k items are null and named in "
                "`suppressed`."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
