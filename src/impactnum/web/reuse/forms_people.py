"""Forms of the facilitator's pages (beneficiaries, support sessions, privacy requests) and of
the period report. They parse and check types only; the rules live in `services`/`privacy`.

A beneficiary form has no file field and no identity field: the eligibility *basis* is a code
from the list, the age a bracket, the place a commune INSEE code (docs/privacy.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from impactnum.engine.reuse_impact import METHODS

from .choices import AgeBracket, AutonomyLevel, EligibilityBasis, PartyKind
from .forms import _blank, _with_org
from .models import Beneficiary, Party

INSEE_CODE = RegexValidator(
    r"^(?:\d{5}|2[ABab]\d{3})$",
    _("Un code INSEE de commune : 5 caractères (ex. 58194), jamais une adresse."),
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

THEMES = [
    ("equipement-informatique", _("Prise en main du matériel")),
    ("navigation-internet", _("Navigation sur internet")),
    ("email", _("Courriel")),
    ("bureautique", _("Bureautique")),
    ("reseaux-sociaux", _("Réseaux sociaux")),
    ("demarches-en-ligne", _("Démarches en ligne")),
    ("sante", _("Santé")),
    ("banque-et-achats-en-ligne", _("Banque et achats en ligne")),
    ("securite-numerique", _("Sécurité numérique")),
    ("insertion-professionnelle", _("Insertion professionnelle")),
    ("scolarite-et-numerique", _("Scolarité et numérique")),
    ("parentalite", _("Parentalité")),
    ("culture-numerique", _("Culture numérique")),
]
"""Themes as slugs, after the Coop de la médiation numérique's thematic list (exported as is)."""
THEME_CODES = {code for code, _label in THEMES}


def referrers(organisations: QuerySet) -> QuerySet[Party]:
    """Partners who may refer a person: not recyclers nor eco-organisations."""
    return Party.objects.filter(organisation__in=organisations).exclude(
        kind__in=[PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION]
    )


class BeneficiaryForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonyme"),
        max_length=40,
        help_text=_("Jamais le nom : le partenaire prescripteur garde l'identité."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    referring_party = forms.ModelChoiceField(
        label=_("Partenaire prescripteur"), queryset=Party.objects.none(), required=False
    )
    eligibility_basis = forms.ChoiceField(
        label=_("Motif d'éligibilité"),
        choices=_blank(EligibilityBasis.choices),
        required=False,
        help_text=_("Le motif seulement, jamais le justificatif."),
    )
    age_bracket = forms.ChoiceField(
        label=_("Tranche d'âge"), choices=_blank(AgeBracket.choices), required=False
    )
    commune = forms.CharField(
        label=_("Commune (code INSEE)"),
        max_length=5,
        required=False,
        validators=[INSEE_CODE],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    consent_follow_up = forms.BooleanField(
        label=_("Accepte d'être recontacté pour un suivi"), required=False
    )

    def __init__(self, *args: Any, organisations: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _with_org(self, organisations)
        if organisations is not None:
            self.fields["referring_party"].queryset = referrers(organisations)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        org, party = data.get("organisation"), data.get("referring_party")
        if org is not None and party is not None and party.organisation_id != org.pk:
            self.add_error("referring_party", _("Ce partenaire n'appartient pas à l'organisation."))
        return data


def beneficiary_form_for_edit(person: Beneficiary, data: Any = None) -> BeneficiaryForm:
    form = BeneficiaryForm(
        data,
        initial={
            "pseudonym": person.pseudonym,
            "referring_party": person.referring_party_id,
            "eligibility_basis": person.eligibility_basis,
            "age_bracket": person.age_bracket,
            "commune": person.commune,
            "consent_follow_up": person.consent_follow_up,
        },
        auto_id="ben-%s",
    )
    form.fields["referring_party"].queryset = Party.objects.filter(
        organisation=person.organisation
    ).exclude(kind__in=[PartyKind.RECYCLER, PartyKind.ECO_ORGANISATION])
    return form


class SessionForm(forms.Form):
    beneficiary = forms.ModelChoiceField(
        label=_("Bénéficiaire (séance individuelle)"),
        queryset=Beneficiary.objects.none(),
        required=False,
        help_text=_("Ou laissez vide et nommez le groupe."),
    )
    group_label = forms.CharField(
        label=_("Groupe (séance collective)"), max_length=200, required=False
    )
    group_size = forms.IntegerField(label=_("Participants"), min_value=1, initial=1)
    date = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(label=_("Durée (minutes)"), min_value=1, max_value=24 * 60)
    themes = forms.MultipleChoiceField(
        label=_("Thèmes"), choices=THEMES, required=False, widget=forms.CheckboxSelectMultiple
    )
    autonomy = forms.ChoiceField(
        label=_("Autonomie"), choices=_blank(AutonomyLevel.choices), required=False
    )

    def __init__(self, *args: Any, organisations: QuerySet | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        _with_org(self, organisations)
        if organisations is not None:
            self.fields["beneficiary"].queryset = Beneficiary.objects.filter(
                organisation__in=organisations, anonymised_at__isnull=True
            ).order_by("pseudonym")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        person, group = data.get("beneficiary"), (data.get("group_label") or "").strip()
        org = data.get("organisation")
        if person is None and not group:
            self.add_error("beneficiary", _("Choisissez un bénéficiaire ou nommez le groupe."))
        if person is not None and group:
            self.add_error(
                "group_label", _("Une séance est individuelle ou collective, pas les deux.")
            )
        if person is not None and (data.get("group_size") or 1) != 1:
            self.add_error("group_size", _("Une séance individuelle compte un participant."))
        if person is not None and org is not None and person.organisation_id != org.pk:
            self.add_error("beneficiary", _("Cette personne n'appartient pas à l'organisation."))
        return data

    def service_fields(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "beneficiary": d["beneficiary"],
            "group_label": (d.get("group_label") or "").strip(),
            "group_size": d["group_size"],
            "date": d["date"],
            "minutes": d["minutes"],
            "themes": ",".join(d.get("themes") or []),
            "autonomy": d.get("autonomy") or "",
        }


class ConfirmErasureForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je confirme : anonymiser cette personne maintenant (irréversible)"),
        required=True,
    )


# --- the period report -----------------------------------------------------------------------


def _year_start() -> dt.date:
    return timezone.localdate().replace(month=1, day=1)


class PeriodForm(forms.Form):
    """Organisation, period and CO2e method of the report (GET)."""

    date_from = forms.DateField(label=_("Du"), widget=DATE)
    date_to = forms.DateField(label=_("Au"), widget=DATE)
    method = forms.ChoiceField(
        label=_("Méthode CO2e"),
        choices=[
            ("restart", _("The Restart Project (empreintes ORDS)")),
            ("ademe", _("Empreintes ADEME/Arcep 2022")),
        ],
        initial="restart",
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, data: Any, *, organisations: QuerySet, **kwargs: Any) -> None:
        first = organisations.first()
        defaults = {
            "organisation": first.slug if first else "",
            "date_from": _year_start().isoformat(),
            "date_to": timezone.localdate().isoformat(),
            "method": "restart",
        }
        merged = {k: (data.get(k) if data and data.get(k) else v) for k, v in defaults.items()}
        super().__init__(merged, **kwargs)
        self.fields = {
            "organisation": forms.ModelChoiceField(
                queryset=organisations, label=_("Organisation"), to_field_name="slug"
            ),
            **self.fields,
        }
        if organisations.count() == 1:
            self.fields["organisation"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("method") not in METHODS:
            data["method"] = "restart"
        a, b = data.get("date_from"), data.get("date_to")
        if a and b and a > b:
            self.add_error("date_to", _("La fin de la période précède son début."))
        return data
