"""State changes and calculations of the projects app.

Every change: checks the actor's role (`core.permissions`), validates, writes in one
transaction and appends an audit event; refusals raise `DomainError` with the field concerned.
A project is computed by turning it into the project-file structure (`project_document`) and
running the shared calculation (`impactnum.calculation.run_document`), exactly as the CLI does.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from impactnum.calculation import CalcInputError, json_ready, run_document
from impactnum.engine import ENGINE_VERSION, FactorSetError, available_sets, load_factor_set
from impactnum.engine import FactorOverride as EngineOverride
from impactnum.web.core.errors import DomainError
from impactnum.web.core.models import Organisation
from impactnum.web.core.permissions import EDIT_PROJECTS, MANAGE_ORGANISATION, VIEW, require
from impactnum.web.core.services import record_event, snapshot

from .models import (
    AvoidedFlowLine,
    CalculationSnapshot,
    EquipmentLine,
    FactorOverride,
    NetworkLine,
    Project,
    Scenario,
    SocialIndicatorValue,
    SroiOutcome,
)
from .result_cache import cached_result

LINE_MODELS: dict[str, type[models.Model]] = {
    "equipment": EquipmentLine,
    "network": NetworkLine,
    "avoided": AvoidedFlowLine,
    "sroi": SroiOutcome,
}
"""Line types of a scenario, by the name used in URLs, the API and the project document."""

PROJECT_FIELDS = ("name", "description", "status", "horizon_years", "factor_set", "discount_rate")
COST_FIELDS = ("capex", "opex_per_year", "avoided_costs_per_year")


def _validate(instance: models.Model, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(f"{field}: {' '.join(str(m) for m in messages)}", field=field) from exc


def _check_factor_set(spec: str) -> None:
    try:
        load_factor_set(spec)
    except FactorSetError as exc:
        raise DomainError(str(exc), field="factor_set") from exc


def _apply(instance: models.Model, fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise DomainError(
            _("Champ inconnu : %(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0]
        )
    for name, value in fields.items():
        setattr(instance, name, value)


def line_fields(line_type: str) -> tuple[str, ...]:
    model = LINE_MODELS[line_type]
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in ("id", "scenario"))


# --- projects and scenarios ---------------------------------------------------------------


@transaction.atomic
def create_project(actor: AbstractBaseUser, organisation: Organisation, **fields: Any) -> Project:
    """A project with an empty baseline scenario."""
    require(actor, organisation, EDIT_PROJECTS)
    project = Project(organisation=organisation, owner=actor)
    _apply(project, fields, PROJECT_FIELDS)
    _validate(project)
    _check_factor_set(project.factor_set)
    project.save()
    Scenario.objects.create(project=project, name=_("Référence"), position=0)
    record_event(
        actor, "project.created", project, organisation=organisation, after=snapshot(project)
    )
    return project


@transaction.atomic
def update_project(actor: AbstractBaseUser, project: Project, **fields: Any) -> Project:
    require(actor, project.organisation, EDIT_PROJECTS)
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = snapshot(project)
    _apply(project, fields, PROJECT_FIELDS)
    _validate(project)
    _check_factor_set(project.factor_set)
    project.save()
    record_event(
        actor,
        "project.updated",
        project,
        organisation=project.organisation,
        before=before,
        after=snapshot(project),
    )
    return project


@transaction.atomic
def delete_project(actor: AbstractBaseUser, project: Project) -> None:
    require(actor, project.organisation, EDIT_PROJECTS)
    before = snapshot(project)
    record_event(
        actor, "project.deleted", project, organisation=project.organisation, before=before
    )
    project.delete()


@transaction.atomic
def add_scenario(
    actor: AbstractBaseUser, project: Project, name: str, copy_from: Scenario | None = None
) -> Scenario:
    """A new variant, empty or a copy of another scenario (lines, costs, indicators)."""
    require(actor, project.organisation, EDIT_PROJECTS)
    if not name.strip():
        raise DomainError(_("Donnez un nom au scénario."), field="name")
    if project.scenarios.filter(name=name.strip()).exists():
        raise DomainError(_("Un scénario porte déjà ce nom."), field="name")
    last = project.scenarios.aggregate(m=models.Max("position"))["m"]
    scenario = Scenario.objects.create(
        project=project,
        name=name.strip(),
        position=(last or 0) + 1,
        **({f: getattr(copy_from, f) for f in COST_FIELDS} if copy_from else {}),
    )
    if copy_from is not None:
        if copy_from.project_id != project.pk:
            raise DomainError(_("Le scénario copié appartient à un autre projet."))
        for model in LINE_MODELS.values():
            for line in model.objects.filter(scenario=copy_from):
                line.pk = None
                line.scenario = scenario
                line.save()
        for value in copy_from.social.all():
            SocialIndicatorValue.objects.create(
                scenario=scenario, code=value.code, value=value.value
            )
    record_event(
        actor,
        "scenario.created",
        scenario,
        organisation=project.organisation,
        after=snapshot(scenario),
    )
    return scenario


@transaction.atomic
def update_scenario(actor: AbstractBaseUser, scenario: Scenario, **fields: Any) -> Scenario:
    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    before = snapshot(scenario)
    _apply(scenario, fields, ("name", *COST_FIELDS))
    _validate(scenario)
    scenario.save()
    record_event(
        actor,
        "scenario.updated",
        scenario,
        organisation=scenario.project.organisation,
        before=before,
        after=snapshot(scenario),
    )
    return scenario


@transaction.atomic
def delete_scenario(actor: AbstractBaseUser, scenario: Scenario) -> None:
    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    if scenario.is_baseline:
        raise DomainError(_("Le scénario de référence ne peut pas être supprimé."))
    record_event(
        actor,
        "scenario.deleted",
        scenario,
        organisation=scenario.project.organisation,
        before=snapshot(scenario),
    )
    scenario.delete()


# --- lines ----------------------------------------------------------------------------------


def _line_model(line_type: str) -> type[models.Model]:
    try:
        return LINE_MODELS[line_type]
    except KeyError:
        raise DomainError(_("Type de ligne inconnu : %(t)s") % {"t": line_type}) from None


@transaction.atomic
def add_line(
    actor: AbstractBaseUser, scenario: Scenario, line_type: str, **fields: Any
) -> models.Model:
    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    line = _line_model(line_type)(scenario=scenario)
    _apply(line, fields, line_fields(line_type))
    _validate(line)
    line.save()
    record_event(
        actor,
        f"{line_type}_line.created",
        line,
        organisation=scenario.project.organisation,
        after=snapshot(line),
    )
    return line


@transaction.atomic
def update_line(
    actor: AbstractBaseUser, line_type: str, line: models.Model, **fields: Any
) -> models.Model:
    scenario = line.scenario  # type: ignore[attr-defined]
    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    line = type(line).objects.select_for_update().get(pk=line.pk)
    before = snapshot(line)
    _apply(line, fields, line_fields(line_type))
    _validate(line)
    line.save()
    record_event(
        actor,
        f"{line_type}_line.updated",
        line,
        organisation=scenario.project.organisation,
        before=before,
        after=snapshot(line),
    )
    return line


@transaction.atomic
def delete_line(actor: AbstractBaseUser, line_type: str, line: models.Model) -> None:
    scenario = line.scenario  # type: ignore[attr-defined]
    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    record_event(
        actor,
        f"{line_type}_line.deleted",
        line,
        organisation=scenario.project.organisation,
        before=snapshot(line),
    )
    line.delete()


@transaction.atomic
def set_social_indicator(
    actor: AbstractBaseUser, scenario: Scenario, code: str, value: float | None
) -> None:
    """Set (or clear, with None) one social indicator of a scenario."""
    from impactnum.engine.social import SOCIAL_INDICATORS

    require(actor, scenario.project.organisation, EDIT_PROJECTS)
    known = {i.code for i in SOCIAL_INDICATORS}
    if code not in known:
        raise DomainError(_("Indicateur inconnu : %(c)s") % {"c": code}, field="code")
    existing = SocialIndicatorValue.objects.filter(scenario=scenario, code=code).first()
    before = snapshot(existing)
    if value is None:
        if existing:
            existing.delete()
        after = None
    else:
        if value < 0:
            raise DomainError(_("La valeur doit être positive."), field="value")
        obj, _created = SocialIndicatorValue.objects.update_or_create(
            scenario=scenario, code=code, defaults={"value": value}
        )
        after = snapshot(obj)
    record_event(
        actor,
        "social_indicator.set",
        scenario,
        organisation=scenario.project.organisation,
        before=before,
        after=after,
    )


# --- organisation factor overrides ------------------------------------------------------------


@transaction.atomic
def set_override(
    actor: AbstractBaseUser, organisation: Organisation, **fields: Any
) -> FactorOverride:
    """Create or replace an organisation's own factor; checked against the engine's rules."""
    require(actor, organisation, MANAGE_ORGANISATION)
    allowed = ("family", "key", "phase", "criterion", "value", "low", "high", "unit", "source")
    probe = FactorOverride(organisation=organisation)
    _apply(probe, fields, allowed)
    _validate(probe, exclude=["organisation"])
    try:
        spec = available_sets()
        load_factor_set(next(iter(spec)), [to_engine_override(probe)])
    except (FactorSetError, StopIteration) as exc:
        raise DomainError(str(exc), field="family") from exc
    except KeyError as exc:  # the engine looks the criterion's unit up before checking the row
        raise DomainError(str(exc.args[0]), field="criterion") from exc
    existing = FactorOverride.objects.filter(
        organisation=organisation,
        family=probe.family,
        key=probe.key,
        phase=probe.phase,
        criterion=probe.criterion,
    ).first()
    before = snapshot(existing)
    if existing:
        probe.pk = existing.pk
        probe.created_at = existing.created_at
    probe.save()
    record_event(
        actor,
        "factor_override.set",
        probe,
        organisation=organisation,
        before=before,
        after=snapshot(probe),
    )
    return probe


@transaction.atomic
def delete_override(actor: AbstractBaseUser, override: FactorOverride) -> None:
    require(actor, override.organisation, MANAGE_ORGANISATION)
    record_event(
        actor,
        "factor_override.deleted",
        override,
        organisation=override.organisation,
        before=snapshot(override),
    )
    override.delete()


def to_engine_override(o: FactorOverride) -> EngineOverride:
    nan = float("nan")
    return EngineOverride(
        family=o.family,
        key=o.key,
        phase=o.phase,
        criterion=o.criterion,
        value=o.value,
        low=nan if o.low is None else o.low,
        high=nan if o.high is None else o.high,
        unit=o.unit,
        source=o.source or f"override of {o.organisation}",
    )


def organisation_overrides(organisation: Organisation) -> list[EngineOverride]:
    return [to_engine_override(o) for o in organisation.factor_overrides.all()]


# --- calculation ----------------------------------------------------------------------------


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    """Drop empty optional values: the parser treats a missing key as 'take the default'."""
    return {k: v for k, v in d.items() if v is not None and v != ""}


def project_document(project: Project) -> dict[str, Any]:
    """The project in the project-file structure (docs/project-file.md), as a plain dict."""
    scenarios = []
    for sc in project.scenarios.prefetch_related(
        "equipment", "network", "avoided", "social", "sroi"
    ):
        doc: dict[str, Any] = {"name": sc.name}
        doc["equipment"] = [
            _clean({f: getattr(line, f) for f in line_fields("equipment")})
            for line in sc.equipment.all()
        ]
        doc["network"] = [
            _clean({f: getattr(line, f) for f in line_fields("network")})
            for line in sc.network.all()
        ]
        doc["avoided"] = [
            _clean({f: getattr(line, f) for f in line_fields("avoided")})
            for line in sc.avoided.all()
        ]
        doc["costs"] = {f: getattr(sc, f) for f in COST_FIELDS}
        social = {v.code: v.value for v in sc.social.all()}
        if social:
            doc["social"] = social
        sroi = [_clean({f: getattr(o, f) for f in line_fields("sroi")}) for o in sc.sroi.all()]
        if sroi:
            doc["sroi"] = sroi
        scenarios.append({k: v for k, v in doc.items() if v != []})
    return {
        "project": _clean(
            {
                "name": project.name,
                "description": project.description,
                "organisation": project.organisation.name,
                "horizon_years": project.horizon_years,
                "factors": project.factor_set,
                "discount_rate": project.discount_rate,
            }
        ),
        "scenarios": scenarios,
    }


def calculate(
    actor: AbstractBaseUser,
    project: Project,
    *,
    draws: int | None = None,
    seed: int = 0,
    factors: str | None = None,
) -> dict[str, Any]:
    """The project's full result (same JSON as `impactnum calc`), with the organisation's
    overrides. Raises DomainError listing every input problem."""
    require(actor, project.organisation, VIEW)
    document = project_document(project)
    source = f"project {project.pk}"
    overrides = organisation_overrides(project.organisation)
    try:
        return cached_result(
            (document, source, factors, draws, seed, overrides),
            lambda: run_document(
                document,
                source=source,
                factors=factors,
                draws=draws,
                seed=seed,
                extra_overrides=overrides,
            ),
        )
    except CalcInputError as exc:
        raise DomainError("\n".join(exc.errors)) from exc


@transaction.atomic
def save_snapshot(
    actor: AbstractBaseUser, project: Project, label: str = "", draws: int | None = None
) -> CalculationSnapshot:
    """Store the result with its inputs, factor set and engine version (replayable)."""
    require(actor, project.organisation, EDIT_PROJECTS)
    inputs = project_document(project)
    overrides = [snapshot(o) for o in project.organisation.factor_overrides.all()]
    result = calculate(actor, project, draws=draws)
    snap = CalculationSnapshot.objects.create(
        project=project,
        created_by=actor,
        label=label,
        factor_set=result["factor_set"],
        engine_version=ENGINE_VERSION,
        inputs={"document": inputs, "organisation_overrides": overrides, "draws": draws},
        result=json_ready(result),  # JSON has no NaN (PostgreSQL's jsonb refuses it)
    )
    record_event(
        actor,
        "snapshot.saved",
        snap,
        organisation=project.organisation,
        after={"factor_set": snap.factor_set, "label": label},
    )
    return snap


def replay_snapshot(
    actor: AbstractBaseUser, snap: CalculationSnapshot, factors: str | None = None
) -> dict[str, Any]:
    """Recompute a snapshot's stored inputs, with its own factor set or another (`factors`)."""
    require(actor, snap.project.organisation, VIEW)
    overrides = [
        to_engine_override(
            FactorOverride(
                organisation=snap.project.organisation,
                **{k: v for k, v in o.items() if k not in ("id", "organisation", "created_at")},
            )
        )
        for o in snap.inputs.get("organisation_overrides", [])
    ]
    try:
        return run_document(
            snap.inputs["document"],
            source=f"snapshot {snap.pk}",
            factors=factors or snap.factor_set,
            draws=snap.inputs.get("draws"),
            extra_overrides=overrides,
        )
    except CalcInputError as exc:
        raise DomainError("\n".join(exc.errors)) from exc


def newer_factor_set(spec: str) -> str | None:
    """The latest version of the same set when newer than `spec` (name@version), else None."""
    name, _sep, version = spec.partition("@")
    versions = available_sets().get(name, [])
    if versions and version and versions[-1] != version:
        return f"{name}@{versions[-1]}"
    return None
