"""Forms of the reuse workbench. They parse and check types only; every rule that refuses a
change lives in `services` and comes back next to its field (`add_domain_error`).
Field names follow the services' keyword names, so a `DomainError.field` lands on its field.
"""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from impactnum.web.fleet.choices import RepairBarrier, RepairOutcome, WeeeCategory
from impactnum.web.projects.choices import KIND_CHOICES
from impactnum.web.projects.forms import add_domain_error

from .choices import (
    CosmeticGrade,
    DeviceStatus,
    LotOrigin,
    MediumType,
    NistLevel,
    PartyKind,
    ProvisionType,
    SanitisationResult,
    TriageOutcome,
)
from .models import Beneficiary, Party, TestTemplate

__all__ = ["add_domain_error"]

RESULT_CHOICES = [("pass", _("OK")), ("fail", _("Échec")), ("na", _("Sans objet"))]
BIG = {"class": "big"}


def _blank(choices: Any, text: Any = "—") -> list[tuple[str, Any]]:
    return [("", text), *list(choices)]


class OrganisationChoice(forms.ModelChoiceField):
    def __init__(self, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(queryset=organisations, label=_("Organisation"), **kwargs)


def _with_org(form: forms.Form, organisations: QuerySet | None) -> None:
    """An organisation select, preselected (and hidden) when the person has only one."""
    if organisations is None:
        return
    form.fields = {"organisation": OrganisationChoice(organisations), **form.fields}
    if organisations.count() == 1:
        form.fields["organisation"].initial = organisations.get().pk
        form.fields["organisation"].widget = forms.HiddenInput()


# --- the workbench ---------------------------------------------------------------------------


class ScanForm(forms.Form):
    q = forms.CharField(
        label=_("Étiquette, numéro de série ou URL scannée"),
        max_length=300,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "scan",
                "enterkeyhint": "go",
            }
        ),
    )


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput(), required=False)


class TriageForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Orientation"), choices=TriageOutcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("obligatoire pour les pièces et le recyclage (obstacle ORDS, obsolescence)"),
    )


class StatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Nouveau statut"))
    reason = forms.CharField(label=_("Motif"), required=False, max_length=500)

    def __init__(self, *args: Any, moves: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, DeviceStatus(s).label) for s in moves or []]


class LostForm(VersionedForm):
    reason = forms.CharField(label=_("Circonstances"), max_length=500)


class DiagnosticForm(forms.Form):
    """One radio group (OK / échec / sans objet) per item of the template."""

    template = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args: Any, template: TestTemplate, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"diag{template.pk}-%s")
        super().__init__(*args, **kwargs)
        self.checklist = template
        self.fields["template"].initial = template.pk
        for item in template.items:
            self.fields[f"item_{item['code']}"] = forms.ChoiceField(
                label=item["label"],
                choices=RESULT_CHOICES,
                widget=forms.RadioSelect(attrs={"class": "tri"}),
            )

    def results(self) -> dict[str, str]:
        return {
            item["code"]: self.cleaned_data[f"item_{item['code']}"] for item in self.checklist.items
        }


class RepairForm(forms.Form):
    problem = forms.CharField(label=_("Problème"), widget=forms.Textarea(attrs={"rows": 2}))
    actions = forms.CharField(
        label=_("Actions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.ChoiceField(label=_("Résultat (ORDS)"), choices=RepairOutcome.choices)
    barrier = forms.ChoiceField(
        label=_("Obstacle (ORDS)"),
        choices=_blank(RepairBarrier.choices),
        required=False,
        help_text=_("obligatoire pour une fin de vie"),
    )
    minutes_spent = forms.IntegerField(label=_("Temps passé (minutes)"), min_value=0, initial=0)
    parts = forms.ModelMultipleChoiceField(
        label=_("Pièces prises au stock"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, parts: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parts"].queryset = parts
        self.fields["parts"].label_from_instance = lambda p: p.description  # type: ignore[attr-defined]
        if not parts.exists():
            del self.fields["parts"]


class HarvestForm(forms.Form):
    description = forms.CharField(label=_("Pièce prélevée"), max_length=200)


class SanitisationForm(forms.Form):
    level = forms.ChoiceField(label=_("Niveau NIST SP 800-88"), choices=NistLevel.choices)
    method = forms.CharField(
        label=_("Méthode"),
        max_length=100,
        help_text=_("ex. NVMe Sanitize crypto, ATA Secure Erase, écrasement 1 passe, broyage"),
    )
    tool = forms.CharField(label=_("Outil"), max_length=100, initial="nwipe")
    tool_version = forms.CharField(label=_("Version de l'outil"), max_length=40, required=False)
    verification = forms.CharField(
        label=_("Vérification"),
        max_length=100,
        required=False,
        help_text=_("aucune, échantillonnage, complète"),
    )
    started_at = forms.DateTimeField(
        label=_("Début"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ended_at = forms.DateTimeField(
        label=_("Fin"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    result = forms.ChoiceField(
        label=_("Résultat"), choices=SanitisationResult.choices, widget=forms.RadioSelect
    )
    report = forms.FileField(label=_("Rapport de l'outil (PDF, JSON…)"), required=False)


class ReleaseForm(forms.Form):
    checklist_passed = forms.BooleanField(
        label=_("Tous les contrôles fonctionnels sont réussis"), required=False
    )
    grade = forms.ChoiceField(
        label=_("Grade esthétique"), choices=CosmeticGrade.choices, widget=forms.RadioSelect
    )
    battery_health_pct = forms.IntegerField(
        label=_("Santé batterie (%)"), min_value=0, max_value=100, required=False
    )


class PseudonymInput(forms.TextInput):
    """A text input for a pseudonym, with a `<datalist>` of suggestions (`suggestions`)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.suggestions: list[str] = []

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> str:
        list_id = f"{(attrs or {}).get('id') or name}-options"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}">', ((s,) for s in self.suggestions))
        return html + format_html('<datalist id="{}">{}</datalist>', list_id, options)


class ProvisionForm(VersionedForm):
    type = forms.ChoiceField(
        label=_("Type de remise"), choices=ProvisionType.choices, widget=forms.RadioSelect
    )
    beneficiary = forms.CharField(
        label=_("Bénéficiaire (pseudonyme)"),
        max_length=40,
        required=False,
        widget=PseudonymInput(),
    )
    recipient = forms.ModelChoiceField(
        label=_("ou organisation destinataire"), queryset=None, required=False
    )
    price_eur = forms.DecimalField(
        label=_("Prix TTC (€)"), min_value=0, decimal_places=2, required=False, initial=0
    )
    unit_value_eur = forms.DecimalField(
        label=_("Valeur unitaire (€)"), min_value=0, decimal_places=2, required=False
    )
    provided_on = forms.DateField(
        label=_("Remis le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self, *args: Any, beneficiaries: QuerySet, recipients: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.beneficiaries = beneficiaries
        if not self.is_bound:
            # Suggestions only: the organisation may have thousands of beneficiaries.
            self.fields["beneficiary"].widget.suggestions = recent_pseudonyms(beneficiaries)  # type: ignore[attr-defined]
        self.fields["recipient"].queryset = recipients

    def clean_beneficiary(self) -> Beneficiary | None:
        """The beneficiary of that pseudonym among `beneficiaries` (an id, as the former select
        posted it, is accepted when no pseudonym matches); the select's message otherwise."""
        text = (self.cleaned_data.get("beneficiary") or "").strip()
        if not text:
            return None
        person = self.beneficiaries.filter(pseudonym=text).first()
        if person is None and text.isdigit():
            person = self.beneficiaries.filter(pk=int(text)).first()
        if person is None:
            raise forms.ValidationError(
                forms.ModelChoiceField.default_error_messages["invalid_choice"],
                code="invalid_choice",
            )
        return person  # type: ignore[no-any-return]


class ShipmentAddForm(forms.Form):
    shipment = forms.ModelChoiceField(label=_("Envoi DEEE ouvert"), queryset=None)

    def __init__(self, *args: Any, shipments: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipment"].queryset = shipments
        self.fields["shipment"].label_from_instance = lambda s: (  # type: ignore[attr-defined]
            f"n° {s.pk} — {s.recycler} — {s.get_weee_category_display()}"
        )


# --- lots ------------------------------------------------------------------------------------


class LotForm(forms.Form):
    reference = forms.CharField(label=_("Référence du lot"), max_length=40)
    donor = forms.ModelChoiceField(label=_("Donateur"), queryset=None)
    received_on = forms.DateField(
        label=_("Reçu le"), widget=forms.DateInput(attrs={"type": "date"})
    )
    site = forms.CharField(label=_("Site de collecte"), max_length=200, required=False)
    items_declared = forms.IntegerField(label=_("Nombre d'objets annoncés"), min_value=0, initial=0)
    weight_kg = forms.DecimalField(label=_("Poids (kg)"), min_value=0, decimal_places=2, initial=0)
    origin = forms.ChoiceField(
        label=_("Origine"), choices=LotOrigin.choices, widget=forms.RadioSelect
    )
    receipt = forms.FileField(label=_("Bon de réception (fichier)"), required=False)

    def __init__(
        self, *args: Any, organisations: QuerySet, donors: QuerySet, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["donor"].queryset = donors
        self.fields["origin"].initial = LotOrigin.REEMPLOI
        _with_org(self, organisations)


class RegisterForm(forms.Form):
    """Register N devices quickly: scanned tags, one a line, or a prefix and a count."""

    tags = forms.CharField(
        label=_("Étiquettes (une par ligne, au lecteur)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    prefix = forms.CharField(label=_("ou préfixe"), max_length=20, required=False, initial="R-")
    count = forms.IntegerField(label=_("et nombre"), min_value=1, max_value=500, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=KIND_CHOICES)
    brand = forms.CharField(label=_("Marque"), max_length=100, required=False)
    model = forms.CharField(label=_("Modèle"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Année"), min_value=1980, max_value=2100, required=False)
    mass_kg = forms.DecimalField(
        label=_("Masse unitaire (kg)"), min_value=0, decimal_places=3, required=False
    )
    media_type = forms.ChoiceField(
        label=_("Support de stockage (un par appareil)"),
        choices=_blank(MediumType.choices, _("aucun")),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        tags = [t.strip() for t in (data.get("tags") or "").splitlines() if t.strip()]
        if not tags and not data.get("count"):
            raise forms.ValidationError(_("Scannez des étiquettes ou donnez un nombre."))
        data["tag_list"] = tags
        return data

    def device_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("kind", "brand", "model", "year", "mass_kg") if data.get(k)}


class BulkTriageForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Orientation"), choices=TriageOutcome.choices)
    reason = forms.CharField(label=_("Motif"), required=False, max_length=500)


# --- parties, shipments, templates ---------------------------------------------------------


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=PartyKind.choices)
    name = forms.CharField(label=_("Nom"), max_length=200)
    siret = forms.CharField(label=_("SIRET"), max_length=14, required=False)
    receipt_contact = forms.CharField(
        label=_("Contact pour le reçu"),
        max_length=200,
        required=False,
        help_text=_("pour un particulier : seulement ce que le reçu exige"),
    )

    def __init__(self, *args: Any, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_org(self, organisations)


class ShipmentForm(forms.Form):
    recycler = forms.ModelChoiceField(label=_("Recycleur ou éco-organisme"), queryset=None)
    weee_category = forms.ChoiceField(label=_("Catégorie DEEE"), choices=WeeeCategory.choices)
    weight_kg = forms.DecimalField(
        label=_("Poids (kg)"), min_value=0, decimal_places=2, required=False
    )

    def __init__(self, *args: Any, recyclers: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recycler"].queryset = recyclers
        self.fields["weee_category"].initial = WeeeCategory.SMALL_IT


class ShipForm(forms.Form):
    tracking_reference = forms.CharField(
        label=_("Référence Trackdéchets / BSD"), max_length=100, required=False
    )
    on = forms.DateField(
        label=_("Expédié le"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    weight_kg = forms.DecimalField(
        label=_("Poids pesé (kg)"), min_value=0, decimal_places=2, required=False
    )
    certificate = forms.FileField(label=_("Certificat de traitement"), required=False)


class ShipmentDeviceForm(forms.Form):
    tag = forms.CharField(
        label=_("Étiquette de l'appareil à ajouter"),
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "scan"}),
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    kind = forms.ChoiceField(label=_("Type d'appareil"), choices=KIND_CHOICES)
    items = forms.CharField(
        label=_("Points de contrôle (un par ligne, « code: libellé »)"),
        widget=forms.Textarea(attrs={"rows": 10}),
    )

    def __init__(self, *args: Any, organisations: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_org(self, organisations)


def beneficiary_choices(organisation: Any) -> QuerySet:
    """Pseudonyms a technician may pick (never the details)."""
    return Beneficiary.objects.filter(organisation=organisation, anonymised_at__isnull=True).only(
        "pk", "pseudonym"
    )


RECENT_PSEUDONYMS = 50
"""How many pseudonyms the provide form suggests (the most recent beneficiaries)."""


def recent_pseudonyms(beneficiaries: QuerySet, n: int = RECENT_PSEUDONYMS) -> list[str]:
    return list(beneficiaries.order_by("-pk").values_list("pseudonym", flat=True)[:n])


def recipient_choices(organisation: Any) -> QuerySet:
    return Party.objects.filter(organisation=organisation).exclude(
        kind__in=[PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION]
    )
