"""The state of the plan at a date — every commitment with its actions and indicators — as one
JSON-ready dict: shown live on the pages, frozen into an evaluation, compared between two.

Indicator state: the value on the date (manual: the latest value entered on or before it, with
its evidence; computed: the registry source), the value the trajectory expects on that date
(linear between baseline, milestones and target) and whether the target is met.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch

from impactnum.web.core.models import Organisation

from .choices import ActionStatus, Direction, IndicatorKind
from .indicators import SOURCES, compute
from .models import Action, Commitment, Indicator, IndicatorValue

SNAPSHOT_VERSION = 1


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def trajectory_points(indicator: Indicator) -> list[tuple[dt.date, float]]:
    """Baseline, milestones and target, by date (a later entry for the same date wins)."""
    points: dict[dt.date, float] = {}
    if indicator.baseline_on and indicator.baseline_value is not None:
        points[indicator.baseline_on] = indicator.baseline_value
    for p in indicator.trajectory or []:
        points[_date(p["on"])] = float(p["value"])  # type: ignore[index]
    if indicator.target_on and indicator.target_value is not None:
        points[indicator.target_on] = indicator.target_value
    return sorted(points.items())


def expected_at(indicator: Indicator, on: dt.date) -> float | None:
    """The value the trajectory expects on `on`: linear between the two surrounding points;
    before the first point none; after the last, the last."""
    points = trajectory_points(indicator)
    if not points or on < points[0][0]:
        return None
    for (d0, v0), (d1, v1) in itertools.pairwise(points):
        if d0 <= on <= d1:
            span = (d1 - d0).days
            return v1 if span == 0 else v0 + (v1 - v0) * (on - d0).days / span
    return points[-1][1]


def _better_or_equal(value: float, reference: float, direction: str) -> bool:
    return value <= reference if direction == Direction.DECREASE else value >= reference


def indicator_state(
    indicator: Indicator,
    on: dt.date,
    *,
    actor: AbstractBaseUser | None = None,
    cache: dict[Any, Any] | None = None,
    values: list[IndicatorValue] | None = None,
) -> dict[str, Any]:
    """The indicator on `on` (see the module docstring); `values` = its manual values when
    already fetched."""
    state: dict[str, Any] = {
        "id": indicator.pk,
        "name": indicator.name,
        "kind": indicator.kind,
        "source": indicator.source,
        "params": indicator.params,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "baseline": {"value": indicator.baseline_value, "on": _iso(indicator.baseline_on)},
        "target": {"value": indicator.target_value, "on": _iso(indicator.target_on)},
        "trajectory": indicator.trajectory or [],
        "value": None,
        "value_on": None,
        "evidence": "",
        "evidence_file": "",
        "detail": {},
        "error": "",
    }
    if indicator.kind == IndicatorKind.MANUAL:
        rows = values if values is not None else list(indicator.values.all())
        known = [v for v in rows if v.on <= on]
        if known:
            last = max(known, key=lambda v: (v.on, v.pk))
            state.update(
                value=last.value,
                value_on=last.on.isoformat(),
                evidence=last.evidence,
                evidence_file=last.evidence_file.name or "",
            )
    else:
        m = compute(
            indicator.source,
            indicator.commitment.organisation,
            on,
            indicator.params,
            actor=actor,
            cache=cache,
        )
        state.update(value=m.value, value_on=on.isoformat(), detail=m.detail, error=m.error)
        if not state["unit"]:
            state["unit"] = m.unit
        src = SOURCES.get(indicator.source)
        state["source_label"] = str(src.label) if src else indicator.source
    expected = expected_at(indicator, on)
    value = state["value"]
    state["expected"] = expected
    state["on_track"] = (
        None
        if value is None or expected is None
        else _better_or_equal(value, expected, indicator.direction)
    )
    state["target_met"] = (
        None
        if value is None or indicator.target_value is None
        else _better_or_equal(value, indicator.target_value, indicator.direction)
    )
    return state


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def action_state(action: Action, on: dt.date) -> dict[str, Any]:
    late = (
        action.due_on is not None
        and action.due_on < on
        and action.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
    )
    return {
        "id": action.pk,
        "title": action.title,
        "owner": action.owner.get_username() if action.owner else "",
        "due_on": _iso(action.due_on),
        "status": action.status,
        "progress": action.progress,
        "late": late,
    }


def commitment_progress(actions: list[dict[str, Any]]) -> float | None:
    """Mean progress (%) of the actions not cancelled; None without any."""
    counted = [a["progress"] for a in actions if a["status"] != ActionStatus.CANCELLED]
    return sum(counted) / len(counted) if counted else None


def commitments_for(organisation: Organisation) -> list[Commitment]:
    return list(
        Commitment.objects.filter(organisation=organisation)
        .select_related("owner", "organisation")
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner")),
            Prefetch(
                "indicators",
                queryset=Indicator.objects.select_related("commitment__organisation"),
            ),
            "indicators__values",
        )
    )


def commitment_state(
    c: Commitment,
    on: dt.date,
    *,
    actor: AbstractBaseUser | None = None,
    cache: dict[Any, Any] | None = None,
    note: str = "",
) -> dict[str, Any]:
    actions = [action_state(a, on) for a in c.actions.all()]
    indicators = [
        indicator_state(i, on, actor=actor, cache=cache, values=list(i.values.all()))
        for i in c.indicators.all()
    ]
    return {
        "id": c.pk,
        "reference": c.reference,
        "title": c.title,
        "theme": c.theme,
        "description": c.description,
        "owner": c.owner.get_username() if c.owner else "",
        "source": c.source,
        "source_detail": c.source_detail,
        "progress": commitment_progress(actions),
        "actions_done": sum(a["status"] == ActionStatus.DONE for a in actions),
        "actions_late": sum(a["late"] for a in actions),
        "actions": actions,
        "indicators": indicators,
        "note": note,
    }


def build_snapshot(
    organisation: Organisation,
    on: dt.date,
    *,
    actor: AbstractBaseUser | None = None,
    notes: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Every commitment, action and indicator of the organisation at `on` (JSON-ready)."""
    cache: dict[Any, Any] = {}
    notes = notes or {}
    commitments = [
        commitment_state(c, on, actor=actor, cache=cache, note=notes.get(str(c.pk), ""))
        for c in commitments_for(organisation)
    ]
    progresses = [c["progress"] for c in commitments if c["progress"] is not None]
    indicators = [i for c in commitments for i in c["indicators"]]
    return _json_ready(
        {
            "version": SNAPSHOT_VERSION,
            "organisation": organisation.slug,
            "on": on.isoformat(),
            "summary": {
                "commitments": len(commitments),
                "actions": sum(len(c["actions"]) for c in commitments),
                "actions_done": sum(c["actions_done"] for c in commitments),
                "actions_late": sum(c["actions_late"] for c in commitments),
                "mean_progress": sum(progresses) / len(progresses) if progresses else None,
                "indicators": len(indicators),
                "indicators_on_track": sum(i["on_track"] is True for i in indicators),
                "targets_met": sum(i["target_met"] is True for i in indicators),
            },
            "commitments": commitments,
        }
    )


def _json_ready(data: Any) -> Any:
    from impactnum.calculation import json_ready

    return json_ready(data)


# --- comparison --------------------------------------------------------------------------------


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two snapshots side by side: per commitment (matched by id, else by reference) its
    progress in each and the change; per indicator (by id) its value in each and the change;
    per action its status and progress in each. Items present in one only have None for the
    other."""

    def key(c: dict[str, Any]) -> Any:
        return c["id"]

    a_by = {key(c): c for c in first.get("commitments", [])}
    b_by = {key(c): c for c in second.get("commitments", [])}
    order = list(a_by) + [k for k in b_by if k not in a_by]
    rows = []
    for k in order:
        a, b = a_by.get(k), b_by.get(k)
        ref = b or a
        assert ref is not None
        rows.append(
            {
                "id": k,
                "reference": ref["reference"],
                "title": ref["title"],
                "progress": [_get(a, "progress"), _get(b, "progress")],
                "progress_change": _delta(_get(a, "progress"), _get(b, "progress")),
                "notes": [_get(a, "note") or "", _get(b, "note") or ""],
                "actions": _pair(
                    a,
                    b,
                    "actions",
                    lambda x: {
                        "title": x["title"],
                        "status": x["status"],
                        "progress": x["progress"],
                        "late": x["late"],
                    },
                ),
                "indicators": [
                    {
                        **row,
                        "change": _delta(row["first"]["value"], row["second"]["value"])
                        if row["first"] and row["second"]
                        else None,
                    }
                    for row in _pair(
                        a,
                        b,
                        "indicators",
                        lambda x: {
                            "name": x["name"],
                            "unit": x["unit"],
                            "value": x["value"],
                            "target_met": x["target_met"],
                            "on_track": x["on_track"],
                        },
                    )
                ],
            }
        )
    return {
        "first": {"on": first.get("on"), "summary": first.get("summary", {})},
        "second": {"on": second.get("on"), "summary": second.get("summary", {})},
        "commitments": rows,
    }


def _get(d: dict[str, Any] | None, name: str) -> Any:
    return None if d is None else d.get(name)


def _pair(
    a: dict[str, Any] | None, b: dict[str, Any] | None, name: str, pick: Any
) -> list[dict[str, Any]]:
    a_items = {x["id"]: x for x in (a or {}).get(name, [])}
    b_items = {x["id"]: x for x in (b or {}).get(name, [])}
    order = list(a_items) + [k for k in b_items if k not in a_items]
    out = []
    for k in order:
        x, y = a_items.get(k), b_items.get(k)
        ref = y or x
        assert ref is not None
        out.append(
            {
                "id": k,
                "name": ref.get("name") or ref.get("title"),
                "first": pick(x) if x else None,
                "second": pick(y) if y else None,
            }
        )
    return out
