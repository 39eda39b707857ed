"""Forms of the plan pages: they parse and check types; every rule that refuses a change lives
in `services` (a DomainError goes back next to its field with `add_domain_error`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import Organisation
from impactnum.web.projects.forms import add_domain_error

from .choices import IndicatorKind
from .indicators import SOURCES, source_choices
from .models import Action, Commitment, Evaluation, Indicator, PlanSettings

__all__ = [
    "ActionForm",
    "CommitmentForm",
    "EvaluationForm",
    "IndicatorForm",
    "IndicatorValueForm",
    "PlanSettingsForm",
    "StrategyPartForm",
    "add_domain_error",
    "evaluation_notes_fields",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def members(organisations: Any) -> QuerySet:
    """People who belong to these organisations (the possible owners)."""
    return (
        get_user_model()
        .objects.filter(memberships__organisation__in=organisations, is_active=True)
        .distinct()
        .order_by("username")
    )


class _OwnerMixin:
    def _owner_queryset(self, organisations: Any) -> None:
        field = self.fields["owner"]  # type: ignore[attr-defined]
        field.queryset = members(organisations)
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()


class CommitmentForm(_OwnerMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = [
            "organisation",
            "reference",
            "title",
            "theme",
            "source",
            "source_detail",
            "owner",
            "description",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"reference": _("ex. E07 ; unique dans l'organisation")}

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
            self._owner_queryset([self.instance.organisation_id])
        else:
            self.fields["organisation"].queryset = organisations
            self.fields["organisation"].label = _("Organisation")
            if organisations is not None and organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()
            self._owner_queryset(organisations)

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


class ActionForm(_OwnerMixin, forms.ModelForm):
    class Meta:
        model = Action
        fields = ["title", "owner", "due_on", "status", "progress", "description"]
        widgets = {
            "due_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._owner_queryset([organisation.pk])


def parse_trajectory_text(text: str) -> list[dict[str, Any]]:
    """One milestone per line: `AAAA-MM-JJ ; valeur` (or a comma, tab or spaces between)."""
    out = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p for p in line.replace(";", " ").replace("\t", " ").split() if p]
        try:
            if len(parts) != 2:
                raise ValueError
            on = dt.date.fromisoformat(parts[0])
            value = float(parts[1].replace(",", "."))
        except ValueError as exc:
            raise forms.ValidationError(
                _("Ligne %(n)d : « AAAA-MM-JJ ; valeur » attendu."), params={"n": n}
            ) from exc
        out.append({"on": on.isoformat(), "value": value})
    return out


def trajectory_text(trajectory: list[dict[str, Any]]) -> str:
    return "\n".join(f"{p['on']} ; {p['value']:g}" for p in trajectory or [])


class IndicatorForm(forms.ModelForm):
    """Manual or computed; a computed indicator picks its source (and, for a project's net
    balance, the project, scenario and criterion)."""

    source = forms.ChoiceField(label=_("Source du calcul"), required=False)
    project = forms.ModelChoiceField(label=_("Projet"), queryset=None, required=False)
    scenario = forms.CharField(
        label=_("Scénario"), required=False, help_text=_("vide : le scénario de référence")
    )
    criterion = forms.CharField(
        label=_("Critère"), required=False, help_text=_("code, ex. gwp (vide : gwp)")
    )
    trajectory_text = forms.CharField(
        label=_("Trajectoire (jalons)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("un jalon par ligne : AAAA-MM-JJ ; valeur"),
    )

    class Meta:
        model = Indicator
        fields = [
            "name",
            "kind",
            "source",
            "unit",
            "direction",
            "baseline_value",
            "baseline_on",
            "target_value",
            "target_on",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "baseline_on": DATE,
            "target_on": DATE,
        }
        help_texts = {"unit": _("vide pour un indicateur calculé : l'unité de la source")}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        from impactnum.web.projects.models import Project

        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "—"), *source_choices()]
        self.fields["project"].queryset = Project.objects.filter(organisation=organisation)
        self.fields["kind"].initial = IndicatorKind.MANUAL
        if self.instance.pk:
            params = self.instance.params or {}
            self.fields["project"].initial = params.get("project")
            self.fields["scenario"].initial = params.get("scenario", "")
            self.fields["criterion"].initial = params.get("criterion", "")
            self.fields["trajectory_text"].initial = trajectory_text(self.instance.trajectory)

    def clean_trajectory_text(self) -> list[dict[str, Any]]:
        return parse_trajectory_text(self.cleaned_data.get("trajectory_text") or "")

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        project = data.pop("project", None)
        scenario = data.pop("scenario", "")
        criterion = data.pop("criterion", "")
        data["trajectory"] = data.pop("trajectory_text", [])
        params: dict[str, Any] = {}
        src = SOURCES.get(data.get("source") or "")
        if data.get("kind") == IndicatorKind.COMPUTED and src and "project" in src.params:
            params["project"] = project.pk if project else None
            if scenario:
                params["scenario"] = scenario
            if criterion:
                params["criterion"] = criterion
        data["params"] = params
        return data


class IndicatorValueForm(forms.Form):
    on = forms.DateField(label=_("Date de la mesure"), widget=DATE)
    value = forms.FloatField(label=_("Valeur"))
    evidence = forms.CharField(
        label=_("Preuve"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("d'où vient ce chiffre : document, tableau, délibération…"),
    )
    evidence_file = forms.FileField(label=_("Pièce justificative (facultative)"), required=False)


class EvaluationForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["organisation", "label", "on", "month", "comments"]
        widgets = {"on": DATE, "comments": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"month": _("ex. 18 ou 36")}

    def __init__(
        self, *args: Any, organisations: QuerySet[Organisation] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            self.fields["organisation"].label = _("Organisation")
            if organisations is not None and organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "organisation"}


def evaluation_notes_fields(
    commitments: list[Commitment], notes: dict[str, str], data: Any = None
) -> forms.Form:
    """A form with the general comments and one comment field per commitment."""
    form = forms.Form(data)
    for c in commitments:
        form.fields[f"note_{c.pk}"] = forms.CharField(
            label=str(c),
            required=False,
            initial=notes.get(str(c.pk), ""),
            widget=forms.Textarea(attrs={"rows": 2}),
        )
    return form


class PlanSettingsForm(forms.ModelForm):
    evaluation_months_text = forms.CharField(
        label=_("Évaluations (mois après le début)"),
        initial="18, 36",
        help_text=_("séparés par des virgules, ex. 18, 36"),
    )

    class Meta:
        model = PlanSettings
        fields = [
            "name",
            "started_on",
            "duration_months",
            "annual_report_month",
            "annual_report_day",
            "reminder_days",
        ]
        widgets = {"started_on": DATE}
        help_texts = {
            "annual_report_day": _("le bilan est présenté avant le débat d'orientation budgétaire")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = self.instance.evaluation_months or [18, 36]
        self.fields["evaluation_months_text"].initial = ", ".join(str(m) for m in months)

    def clean_evaluation_months_text(self) -> list[int]:
        text = self.cleaned_data.get("evaluation_months_text") or ""
        try:
            return [int(p) for p in text.replace(";", ",").split(",") if p.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Des nombres séparés par des virgules.")) from exc

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["evaluation_months"] = data.pop("evaluation_months_text")
        return data


class StrategyPartForm(forms.Form):
    """One part of the strategy's version `year`: a section's text (`part` = its code), or
    its title and adoption date (`part` = "details"). Rules live in `plan.strategy`."""

    year = forms.IntegerField(label=_("Version (année)"), min_value=2000, max_value=2100)

    def __init__(
        self, *args: Any, part: str, label: Any = "", help_text: Any = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.part = part
        if part == "details":
            self.fields["title"] = forms.CharField(label=_("Intitulé"), max_length=200)
            self.fields["adopted_on"] = forms.DateField(
                label=_("Adoptée le (délibération)"), required=False, widget=DATE
            )
        else:
            self.fields["text"] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 14}),
            )

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.part == "details":
            return {"title": data["title"], "adopted_on": data["adopted_on"]}
        return {self.part: data["text"]}
