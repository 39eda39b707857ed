"""Forms of the fleet pages. They only parse and check types; every rule that refuses a change
lives in `services` (a `DomainError` goes back next to its field with `add_domain_error`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from impactnum.web.core.models import Organisation
from impactnum.web.projects.choices import KIND_CHOICES
from impactnum.web.projects.forms import add_domain_error
from impactnum.web.reuse.choices import MediumType
from impactnum.web.reuse.models import Lot

from . import services
from .choices import FINAL_STATUSES, TRANSITIONS, AssetStatus, RepairBarrier, RepairOutcome
from .models import Asset, Department, Location

__all__ = [
    "AssetForm",
    "BulkForm",
    "HandoverForm",
    "LifespanPolicyForm",
    "NamedForm",
    "RepairCloseForm",
    "RepairOpenForm",
    "ScenarioForm",
    "StatusForm",
    "add_domain_error",
    "allowed_statuses",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def allowed_statuses(current: str) -> list[tuple[str, str]]:
    """The statuses an asset may move to from `current` (the lifecycle's moves, plus lost or
    stolen from any status that is not final), in the lifecycle's order."""
    allowed = set(TRANSITIONS.get(current, frozenset()))
    if current not in FINAL_STATUSES:
        allowed.add(AssetStatus.LOST_STOLEN)
    return [(value, label) for value, label in AssetStatus.choices if value in allowed]


class AssetForm(forms.ModelForm):
    """Every descriptive field (the status changes through `StatusForm`). On edit, the hidden
    `expected_version` is the version the person saw: a change made meanwhile is refused."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Asset
        fields = ["organisation", *services.ASSET_FIELDS]
        widgets = {
            "purchase_date": DATE,
            "warranty_end": DATE,
            "storage_media": forms.TextInput(),
        }
        help_texts = {
            "expected_lifespan_years": _("vide : la politique de l'organisation pour ce type"),
            "assigned_to": _("un nom ou un matricule, rien de plus"),
            "country": _("code ISO à 3 lettres : FRA, BEL…"),
        }

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]  # an asset does not change organisation
            org_ids: Any = [self.instance.organisation_id]
            self.fields["expected_version"].initial = self.instance.version
        else:
            del self.fields["expected_version"]
            self.fields["organisation"].queryset = organisations
            self.fields["organisation"].label = _("Organisation")
            org_ids = organisations
            if organisations is not None and organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()
        self.fields["department"].queryset = Department.objects.filter(
            organisation__in=org_ids
        ).select_related("organisation")
        self.fields["location"].queryset = Location.objects.filter(
            organisation__in=org_ids
        ).select_related("organisation")
        self.fields["kind"].choices = [("", "—"), *KIND_CHOICES]

    def _post_clean(self) -> None:
        # Model validation is the service's job (it raises DomainError with the field).
        pass

    def service_fields(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in services.ASSET_FIELDS if k in self.cleaned_data}


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouveau statut"))
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("obligatoire pour réformer un équipement plus jeune que sa durée de vie"),
    )
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    reuse_proof = forms.CharField(
        label=_("Preuve de réemploi"),
        required=False,
        max_length=300,
        help_text=_("pour une remise à la filière de réemploi : bon d'enlèvement, attestation…"),
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, asset: Asset, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = allowed_statuses(asset.status)
        self.fields["expected_version"].initial = asset.version


class RepairOpenForm(forms.Form):
    problem = forms.CharField(label=_("Problème"), widget=forms.Textarea(attrs={"rows": 2}))
    opened_on = forms.DateField(label=_("Ouverte le"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "repair-%s")
        super().__init__(*args, **kwargs)


class RepairCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Résultat (ORDS)"), choices=RepairOutcome.choices)
    barrier = forms.ChoiceField(
        label=_("Obstacle à la réparation"),
        required=False,
        choices=[("", "—"), *RepairBarrier.choices],
        help_text=_("seulement pour une fin de vie"),
    )
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    parts = forms.CharField(label=_("Pièces"), required=False)
    parts_cost = forms.DecimalField(
        label=_("Coût des pièces (€)"), required=False, min_value=0, decimal_places=2
    )
    minutes_spent = forms.IntegerField(
        label=_("Temps passé (minutes)"), required=False, min_value=0
    )
    closed_on = forms.DateField(label=_("Close le"), required=False, widget=DATE)

    def __init__(self, *args: Any, repair_id: int, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"close-{repair_id}-%s")
        super().__init__(*args, **kwargs)


class BulkForm(forms.Form):
    """What to do with the selected assets; the selection is the `asset` checkboxes. Fields are
    prefixed (`bulk-status`…) so they never mix with the list's filters posted alongside."""

    status = forms.ChoiceField(label=_("Nouveau statut"), required=False)
    reason = forms.CharField(label=_("Motif (réforme anticipée)"), required=False)
    department = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=Department.objects.none()
    )
    location = forms.ModelChoiceField(
        label=_("Lieu"), required=False, queryset=Location.objects.none()
    )

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("(inchangé)")), *AssetStatus.choices]
        self.fields["department"].queryset = Department.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        self.fields["location"].queryset = Location.objects.filter(
            organisation__in=organisations
        ).select_related("organisation")
        self.fields["department"].empty_label = _("(inchangé)")
        self.fields["location"].empty_label = _("(inchangé)")
        self.fields["department"].label_from_instance = _with_org
        self.fields["location"].label_from_instance = _with_org

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("status") or data.get("department") or data.get("location")):
            raise forms.ValidationError(_("Choisissez un statut, un service ou un lieu."))
        return data


def _with_org(obj: Department | Location) -> str:
    return f"{obj.name} ({obj.organisation.name})"


class LifespanPolicyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    kind = forms.ChoiceField(label=_("Type d'équipement"), choices=KIND_CHOICES)
    years = forms.FloatField(label=_("Durée de vie (années)"), min_value=1, max_value=50)

    def __init__(self, *args: Any, organisations: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "policy-%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class NamedForm(forms.Form):
    """A department or a location: its organisation and its name."""

    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    name = forms.CharField(label=_("Nom"), max_length=200)

    def __init__(
        self, *args: Any, organisations: Any = None, prefix_id: str, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", f"{prefix_id}-%s")
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class HandoverForm(forms.Form):
    """A retired asset handed to the reuse chain: a lot of the asset's organisation, the
    device's tag in the chain and, optionally, the type of the one storage medium it holds."""

    lot = forms.ModelChoiceField(label=_("Lot de la filière de réemploi"), queryset=None)
    asset_tag = forms.CharField(
        label=_("Étiquette dans la filière"),
        max_length=40,
        help_text=_("l'étiquette collée sur l'appareil par l'atelier de réemploi"),
    )
    media_type = forms.ChoiceField(
        label=_("Support de stockage"),
        required=False,
        choices=[("", _("(aucun)")), *MediumType.choices],
        help_text=_("il devra être effacé avant toute remise"),
    )

    def __init__(self, *args: Any, asset: Asset, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "handover-%s")
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = Lot.objects.filter(organisation=asset.organisation_id)
        self.fields["lot"].label_from_instance = _lot_label


def _lot_label(lot: Lot) -> str:
    return f"{lot.reference} ({lot.received_on:%d/%m/%Y})"


class ScenarioForm(forms.Form):
    """A fleet scenario: a longer lifespan and/or a share of refurbished purchases, over a
    horizon. Read from the query string of the footprint page."""

    lifespan_years = forms.FloatField(
        label=_("Durée de vie visée (années)"),
        required=False,
        min_value=1,
        max_value=30,
        help_text=_("vide : durées de vie inchangées ; sinon au moins cette durée (ex. 7)"),
    )
    refurbished_share = forms.FloatField(
        label=_("Part des achats en reconditionné (%)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=0,
    )
    horizon_years = forms.FloatField(
        label=_("Horizon (années)"), required=False, min_value=1, max_value=30, initial=5
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "scenario-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("horizon_years") is None and "horizon_years" not in self.errors:
            data["horizon_years"] = 5.0
        if data.get("refurbished_share") is None and "refurbished_share" not in self.errors:
            data["refurbished_share"] = 0.0
        if (
            not self.errors
            and data.get("lifespan_years") is None
            and not data.get("refurbished_share")
        ):
            raise forms.ValidationError(
                _("Indiquez une durée de vie visée ou une part de reconditionné.")
            )
        return data
