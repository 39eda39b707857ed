"""Project calculation: a parsed project → environmental, economic and social results.

Shared by the CLI (`impactnum calc`), the web pages and the JSON API (`POST /api/calc`): it
resolves the factor set (with the project's overrides), checks coverage, runs the engine for each
scenario, values the avoided flows with the set's prices, and compares variants with the
baseline. No printing, no Django.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from impactnum.engine import (
    EngineInputError,
    FactorSet,
    FactorSetError,
    load_factor_set,
)
from impactnum.engine.economic import Estimate, compute_economic
from impactnum.engine.scenario import compare_scenarios, compute_scenario
from impactnum.engine.social import compute_social
from impactnum.io.project_toml import (
    Project,
    ProjectFileError,
    ProjectIssue,
    ProjectScenario,
    load_project,
    parse_project,
)

DEFAULT_COMPARE_DRAWS = 1000


class CalcInputError(Exception):
    """Input that cannot be computed; `errors` are full lines for stderr."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def flow_savings(
    sc: ProjectScenario, fs: FactorSet
) -> tuple[Estimate, list[dict[str, Any]], list[str]]:
    """Value per year (€) of the avoided flows: Σ quantity × `price.<flow>` of the set.

    Bounds pair low quantities with low prices and high with high. A flow with no price is
    left out, with a warning.
    """
    warnings: list[str] = []
    rows: list[dict[str, Any]] = []
    bands: list[tuple[float, float, float]] = []
    prices: list[tuple[float, float, float]] = []
    for flow in sc.scenario.avoided:
        names = [f"price.{flow.flow}"]
        name = next((n for n in names if n in fs.params), None)
        if name is None:
            warnings.append(
                f"{sc.name}: {fs.ref} has no {names[0]}: savings on {flow.flow} are not counted"
            )
            continue
        price = fs.param(name)
        bands.append(flow.bands())
        prices.append(price)
        rows.append(
            {
                "flow": flow.flow,
                "label": flow.label,
                "quantity_per_year": flow.quantity_per_year,
                "price": {
                    "parameter": name,
                    "value": price[0],
                    "low": price[1],
                    "high": price[2],
                    "unit": fs.params[name].unit,
                },
            }
        )
    if not bands:
        return Estimate(0.0), rows, warnings
    value = (np.asarray(bands) * np.asarray(prices)).sum(axis=0)  # (3,) value, low, high
    for row, q, p in zip(rows, bands, prices, strict=True):
        row["eur_per_year"] = {"value": q[0] * p[0], "low": q[1] * p[1], "high": q[2] * p[2]}
    return Estimate(float(value[0]), float(value[1]), float(value[2])), rows, warnings


def check_coverage(project: Project, fs: FactorSet) -> list[ProjectIssue]:
    """Kinds and countries of the project that the factor set does not cover, by TOML path."""
    arrays = fs.arrays()
    issues = []
    for i, sc in enumerate(project.scenarios):
        for j, rec in enumerate(sc.equipment_records):
            where = f"scenarios[{i}].equipment[{j}]"
            if rec["kind"] not in arrays.kinds:
                issues.append(
                    ProjectIssue(
                        f"{where}.kind",
                        f"kind {rec['kind']!r} is not covered by {fs.ref} (covered: "
                        f"{', '.join(arrays.kinds)}); choose another set or add [[overrides]]",
                        project.source,
                    )
                )
            country = rec.get("country")
            if country and country not in arrays.countries:
                issues.append(
                    ProjectIssue(
                        f"{where}.country",
                        f"no electricity factor for {country!r} in {fs.ref}",
                        project.source,
                    )
                )
    return issues


def _scenario_result(
    project: Project, sc: ProjectScenario, fs: FactorSet, draws: int | None, seed: int
) -> dict[str, Any]:
    env = compute_scenario(sc.scenario, fs, draws=draws, seed=seed).to_dict()
    savings, flows, warnings = flow_savings(sc, fs)
    econ = compute_economic(
        sc.costs.economic_inputs(savings, project.discount_rate, project.horizon_years)
    )
    sroi_inputs = sc.costs.sroi_inputs
    if sroi_inputs is None:
        sroi_inputs = float(econ.pv_costs[0])
    social = compute_social(sc.social, sc.sroi, sroi_inputs, project.discount_rate)
    economic = econ.to_dict()
    economic["avoided_flows"] = flows
    return {
        "name": sc.name,
        "description": sc.description,
        "horizon_years": project.horizon_years,
        "totals": env["totals"],
        "by_phase": env["by_phase"],
        "avoided": env["avoided"],
        "net": env["net"],
        "per_line": env["per_line"],
        "horizon": env["horizon"],
        "economic": economic,
        "social": social.to_dict(),
        "provenance": env["provenance"],
        "warnings": env["warnings"] + warnings,
        "_header": {k: env[k] for k in ("engine_version", "factor_set", "criteria")},
    }


def _economic_delta(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Variant minus baseline, central values (€)."""
    ea, eb = a["economic"], b["economic"]
    return {
        key: eb[key]["value"] - ea[key]["value"] for key in ("tco", "total_avoided_costs", "npv")
    }


def calculate_project(
    project: Project,
    fs: FactorSet,
    *,
    draws: int | None = None,
    seed: int = 0,
    others: Sequence[Project] = (),
) -> dict[str, Any]:
    """Every scenario of `project` (and of `others`, compared with the baseline), as one dict.

    Top-level `totals`, `by_phase`, `net`, `economic`, `social` are the baseline's (the first
    scenario); `scenarios` lists all of them; `comparison` gives, for each other scenario, the
    probability that its net impact per year is lower than the baseline's, per criterion.
    """
    scenarios = [(project, sc) for sc in project.scenarios]
    scenarios += [(other, sc) for other in others for sc in other.scenarios]
    results = [_scenario_result(p, sc, fs, draws, seed) for p, sc in scenarios]
    for (p, _), res in zip(scenarios, results, strict=True):
        res["project_file"] = p.source
    base = results[0]
    header = base.pop("_header")
    for res in results[1:]:
        res.pop("_header")
    out: dict[str, Any] = {
        **header,
        "project": {
            "name": project.name,
            "description": project.description,
            "organisation": project.organisation,
            "source": project.source,
            "horizon_years": project.horizon_years,
            "discount_rate": project.discount_rate,
            "overrides": len(project.overrides),
        },
        "baseline": base["name"],
        "totals": base["totals"],
        "by_phase": base["by_phase"],
        "avoided": base["avoided"],
        "net": base["net"],
        "economic": base["economic"],
        "social": base["social"],
        "scenarios": results,
    }
    if draws:
        out["draws"], out["seed"] = draws, seed
    if len(results) > 1:
        n = draws or DEFAULT_COMPARE_DRAWS
        baseline = project.scenarios[0].scenario
        out["comparison"] = [
            {
                **compare_scenarios(baseline, sc.scenario, fs, draws=n, seed=seed),
                "variant_file": p.source,
                "economic_delta": _economic_delta(base, res),
            }
            for (p, sc), res in zip(scenarios[1:], results[1:], strict=True)
        ]
    return out


def resolve_factor_set(project: Project, spec: str | None) -> FactorSet:
    """The --factors set (else the project's), with the project's overrides applied."""
    try:
        return load_factor_set(spec or project.factors, project.overrides)
    except FactorSetError as exc:
        where = "--factors" if spec else "project.factors / overrides"
        raise CalcInputError([f"{project.source}: {where}: {exc}"]) from None


def run_document(
    data: dict[str, Any],
    *,
    source: str,
    factors: str | None = None,
    draws: int | None = None,
    seed: int = 0,
    extra_overrides: Sequence[Any] = (),
) -> dict[str, Any]:
    """Compute a project given as a dict (the project-file structure, e.g. a JSON body or a
    stored project); `extra_overrides` (an organisation's own factors) apply before the
    project's. Raises CalcInputError listing every problem."""
    try:
        project = parse_project(data, source)
    except ProjectFileError as exc:
        raise CalcInputError(exc.lines()) from None
    try:
        fs = load_factor_set(factors or project.factors, [*extra_overrides, *project.overrides])
    except FactorSetError as exc:
        raise CalcInputError([f"{source}: factors / overrides: {exc}"]) from None
    issues = [str(i) for i in check_coverage(project, fs)]
    if issues:
        raise CalcInputError(issues)
    try:
        return calculate_project(project, fs, draws=draws, seed=seed)
    except (EngineInputError, ValueError) as exc:
        raise CalcInputError([f"{source}: {exc}"]) from None


def run(
    project_file: str,
    *,
    factors: str | None,
    draws: int | None,
    seed: int,
    compare_file: str | None,
) -> dict[str, Any]:
    """Load, check and compute; raises CalcInputError listing every problem."""
    errors: list[str] = []
    projects: list[Project] = []
    for path in [project_file] + ([compare_file] if compare_file else []):
        try:
            projects.append(load_project(path))
        except ProjectFileError as exc:
            errors += exc.lines()
    if errors:
        raise CalcInputError(errors)
    project, others = projects[0], projects[1:]
    fs = resolve_factor_set(project, factors)
    issues = [str(i) for p in projects for i in check_coverage(p, fs)]
    if issues:
        raise CalcInputError(issues)
    try:
        result = calculate_project(project, fs, draws=draws, seed=seed, others=others)
    except (EngineInputError, ValueError) as exc:
        raise CalcInputError([f"{project.source}: {exc}"]) from None
    for other in others:
        if other.overrides and other.overrides != project.overrides:
            result["scenarios"][0]["warnings"].append(
                f"{other.source}: its [[overrides]] are ignored; the comparison uses "
                f"{project.source}'s factor set ({fs.ref}) for both files"
            )
    return result


_PLAIN = frozenset({str, int, bool, type(None)})
"""Types `json_ready` returns as they are (exact types: subclasses take the general path)."""


def json_ready(obj: Any) -> Any:
    """A copy where NaN and infinities become null (JSON has no NaN) and tuples become lists.

    Dicts and lists are walked in place of a call per value: the leaves of exact built-in types
    (most of a result) are handled inline, the rest by `_json_ready_value`."""
    t = type(obj)
    if t is dict:
        return _json_ready_dict(obj)
    if t is list or t is tuple:
        return _json_ready_list(obj)
    return _json_ready_value(obj)


def _json_ready_dict(obj: dict[Any, Any]) -> dict[Any, Any]:
    out = {}
    isfinite, plain = math.isfinite, _PLAIN
    for k, v in obj.items():
        t = type(v)
        if t is float:
            out[k] = v if isfinite(v) else None
        elif t in plain:
            out[k] = v
        elif t is dict:
            out[k] = _json_ready_dict(v)
        elif t is list or t is tuple:
            out[k] = _json_ready_list(v)
        else:
            out[k] = _json_ready_value(v)
    return out


def _json_ready_list(obj: list[Any] | tuple[Any, ...]) -> list[Any]:
    out = []
    append, isfinite, plain = out.append, math.isfinite, _PLAIN
    for v in obj:
        t = type(v)
        if t is float:
            append(v if isfinite(v) else None)
        elif t in plain:
            append(v)
        elif t is dict:
            append(_json_ready_dict(v))
        elif t is list or t is tuple:
            append(_json_ready_list(v))
        else:
            append(_json_ready_value(v))
    return out


def _json_ready_value(obj: Any) -> Any:
    """`json_ready` of any value (subclasses of dict, list, tuple and float, NumPy scalars)."""
    if isinstance(obj, dict):
        return {k: json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [json_ready(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, np.generic):
        return json_ready(obj.item())
    return obj
