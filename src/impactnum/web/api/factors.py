"""Factor sets shipped with impactnum: the list, and one set in full (for any caller)."""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from impactnum.calculation import json_ready
from impactnum.engine import FactorSet, list_factor_sets, load_factor_set

from .pagination import Pagination
from .schemas import FactorSetDetail, FactorSetSummary, date_text

router = Router(tags=["factor sets"])

SUMMARY_KEYS = ("title", "publisher", "licence", "url")


@router.get("/factor-sets", response=list[FactorSetSummary])
@paginate(Pagination)
def list_sets(request: HttpRequest) -> list[dict[str, Any]]:
    """Every set and version shipped, with its publisher, licence, URL and date."""
    return [{**s, "date": date_text(s.get("date"))} for s in list_factor_sets()]


class FactorFilters(Schema):
    family: str | None = Field(None, description="device, electricity, network or avoided")
    key: str | None = Field(None, description="A kind, country, network kind or flow")
    criterion: str | None = Field(None, description="A criterion code (gwp, adpe, pe, water …)")


def describe(fs: FactorSet, filters: FactorFilters) -> dict[str, Any]:
    """Everything about a loaded set: source, coverage, borrowings, parameters, factors."""
    info = fs.info
    rows = [
        r
        for r in fs.rows
        if (filters.family is None or r.family == filters.family)
        and (filters.key is None or r.key == filters.key)
        and (filters.criterion is None or r.criterion == filters.criterion)
    ]
    return json_ready(
        {
            "ref": fs.ref,
            "name": fs.name,
            "version": fs.version,
            **{k: str(info.get(k, "")) for k in SUMMARY_KEYS},
            "date": date_text(info.get("date")),
            "default_country": fs.default_country,
            "description": str(info.get("description", "")),
            "coverage": {
                family: {phase: sorted(crits) for phase, crits in phases.items()}
                for family, phases in fs.coverage.items()
            },
            "borrow": [dict(b) for b in info.get("borrow", [])],
            "phase_mapping": dict(info.get("phase_mapping", {})),
            "sources": {k: dict(v) for k, v in info.get("sources", {}).items()},
            "parameters": {
                name: {
                    "value": p.value,
                    "low": p.low,
                    "high": p.high,
                    "unit": p.unit,
                    "source": p.source,
                    "origin": p.origin,
                }
                for name, p in sorted(fs.params.items())
            },
            "kind_defaults": {
                kind: {
                    "lifespan_years": d.lifespan_years,
                    "kwh_per_year": d.kwh_per_year,
                    "kwh_low": d.kwh_low,
                    "kwh_high": d.kwh_high,
                    "source": d.source,
                    "origin": d.origin,
                }
                for kind, d in sorted(fs.kind_defaults.items())
            },
            "factors": [
                {
                    "id": r.id,
                    "family": r.family,
                    "key": r.key,
                    "phase": r.phase,
                    "criterion": r.criterion,
                    "value": r.value,
                    "low": r.low,
                    "high": r.high,
                    "unit": r.unit,
                    "source": r.source,
                    "note": r.note,
                    "origin": r.origin,
                    "range_kind": r.range_kind,
                }
                for r in rows
            ],
        }
    )  # type: ignore[no-any-return]


@router.get("/factor-sets/{ref}", response=FactorSetDetail)
def read_set(request: HttpRequest, ref: str, filters: Query[FactorFilters]) -> dict[str, Any]:
    """One set (`name` for the latest version, or `name@version`): source, licence, coverage,
    borrowings, sources, parameters, kind defaults and factors (filter these by family, key,
    criterion). An unknown set is a 404."""
    return describe(load_factor_set(ref), filters)
