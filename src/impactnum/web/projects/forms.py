"""Forms of the project pages. They only parse and check types; every rule that refuses a
change lives in `services` (a `DomainError` is put back on the form, next to its field)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from impactnum.engine import CRITERIA, PHASES, list_factor_sets
from impactnum.engine.social import SOCIAL_INDICATORS
from impactnum.web.core.errors import DomainError

from .choices import ProjectStatus
from .models import (
    AvoidedFlowLine,
    EquipmentLine,
    FactorOverride,
    NetworkLine,
    Project,
    Scenario,
    SroiOutcome,
)
from .templatetags.impactnum_format import label


def add_domain_error(form: forms.BaseForm, exc: DomainError) -> None:
    """Show a service's refusal next to its field (or at the top of the form)."""
    field = exc.field if exc.field in form.fields else None
    message = exc.message
    if field and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
    form.add_error(field, message)


def factor_set_choices() -> list[tuple[str, str]]:
    return [(s["ref"], f"{s['ref']} — {s['title']}") for s in list_factor_sets()]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "organisation",
            "name",
            "description",
            "status",
            "horizon_years",
            "factor_set",
            "discount_rate",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "discount_rate": _("par an, 0,032 = 3,2 % (France Stratégie 2021)"),
            "horizon_years": _("durée sur laquelle les impacts et les coûts sont cumulés"),
        }

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label = _("Organisation")
        self.fields["factor_set"] = forms.ChoiceField(
            label=_("Jeu de facteurs"), choices=factor_set_choices()
        )
        if self.instance.pk:
            # The organisation of an existing project does not change.
            del self.fields["organisation"]
        self.fields["status"].choices = ProjectStatus.choices

    def _post_clean(self) -> None:
        # Model validation is the service's job (it raises DomainError with the field).
        pass


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = ["name", "capex", "opex_per_year", "avoided_costs_per_year"]

    def _post_clean(self) -> None:
        pass


class AddScenarioForm(forms.Form):
    name = forms.CharField(label=_("Nom du scénario"), max_length=200)
    copy_from = forms.TypedChoiceField(
        label=_("Contenu"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, scenarios: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].choices = [("", _("Vide"))] + [
            (s.pk, _("Copie de « %(n)s »") % {"n": s.name}) for s in scenarios
        ]


class SocialForm(forms.Form):
    """One optional number per indicator of the registry; empty = not reported."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for ind in SOCIAL_INDICATORS:
            self.fields[ind.code] = forms.FloatField(
                label=f"{label(ind)} ({ind.unit})", required=False, min_value=0
            )


class _LineForm(forms.ModelForm):
    def _post_clean(self) -> None:
        pass


class EquipmentForm(_LineForm):
    class Meta:
        model = EquipmentLine
        fields = [
            "label",
            "kind",
            "quantity",
            "lifespan_years",
            "refurbished",
            "kwh_per_year",
            "active_w",
            "idle_w",
            "hours_per_day",
            "days_per_year",
            "country",
            "in_datacenter",
            "pue",
        ]


class NetworkForm(_LineForm):
    class Meta:
        model = NetworkLine
        fields = ["label", "kind", "gb_per_year"]


class AvoidedForm(_LineForm):
    class Meta:
        model = AvoidedFlowLine
        fields = ["label", "flow", "quantity_per_year", "low", "high"]


class SroiForm(_LineForm):
    class Meta:
        model = SroiOutcome
        fields = [
            "outcome",
            "stakeholder",
            "indicator",
            "quantity",
            "proxy_eur",
            "proxy_source",
            "deadweight",
            "attribution",
            "displacement",
            "drop_off",
            "duration_years",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"] = forms.ChoiceField(
            label=_("indicateur"),
            required=False,
            choices=[("", "—")] + [(i.code, label(i)) for i in SOCIAL_INDICATORS],
        )


LINE_FORMS: dict[str, type[forms.ModelForm]] = {
    "equipment": EquipmentForm,
    "network": NetworkForm,
    "avoided": AvoidedForm,
    "sroi": SroiForm,
}

FAMILIES = ["device", "electricity", "network", "avoided", "kind", "parameter"]


class OverrideForm(forms.ModelForm):
    class Meta:
        model = FactorOverride
        fields = [
            "organisation",
            "family",
            "key",
            "phase",
            "criterion",
            "value",
            "low",
            "high",
            "unit",
            "source",
        ]
        help_texts = {
            "key": _("type d'équipement, pays (FRA), fixed/mobile, flux, ou nom de paramètre"),
            "source": _("d'où vient la valeur (contrat, facture, étude…)"),
        }

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["family"] = forms.ChoiceField(
            label=_("famille"), choices=[(f, f) for f in FAMILIES]
        )
        self.fields["phase"] = forms.ChoiceField(
            label=_("phase"),
            required=False,
            choices=[("", _("(phase de la famille)"))]
            + [(p.code, label(p)) for p in PHASES]
            + [("avoided", _("Évité"))],
        )
        self.fields["criterion"] = forms.ChoiceField(
            label=_("critère"),
            choices=[(c.code, f"{c.code} — {label(c)}") for c in CRITERIA]
            + [
                ("lifespan_years", _("lifespan_years — durée de vie (famille kind)")),
                ("kwh_per_year", _("kwh_per_year — kWh par an (famille kind)")),
                ("value", _("value — valeur du paramètre (famille parameter)")),
            ],
        )

    def _post_clean(self) -> None:
        pass
