"""Forms of the eco-design pages: they parse input; the rules live in `services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AnswerStatus
from .models import Assessment, Referential
from .referential_file import MAX_BYTES


class ReferentialImportForm(forms.Form):
    name = forms.CharField(label=_("Nom du référentiel"), max_length=100, initial="RGESN")
    version = forms.CharField(
        label=_("Version"),
        max_length=50,
        required=False,
        help_text=_(
            "Laissez vide pour un fichier JSON qui indique sa version ; obligatoire en CSV."
        ),
    )
    file = forms.FileField(
        label=_("Fichier du référentiel"),
        help_text=_(
            "JSON (structure du fichier officiel : criteres avec id, critere, thematique, url, "
            "et si présents priorite, effort) ou CSV (colonnes id, critere, thematique, url, "
            "priorite, effort ; séparateur ; ou ,). 2 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo."))
        return upload


class AssessmentForm(forms.ModelForm):
    service_url = forms.URLField(
        label=_("Adresse du service"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = Assessment
        fields = ["referential", "service_name", "service_url", "assessed_on", "contact"]
        widgets = {"assessed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args: Any, referentials: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if referentials is None:
            del self.fields["referential"]
        else:
            self.fields["referential"].queryset = referentials
            self.fields["referential"].empty_label = None

    def service_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "referential"}


class AnswerForm(forms.Form):
    """One criterion's answer; an empty status withdraws the answer."""

    criterion = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Réponse"),
        choices=[("", _("Non évalué")), *AnswerStatus.choices],
        required=False,
    )
    justification = forms.CharField(label=_("Justification"), required=False, max_length=5000)
    planned_action = forms.CharField(label=_("Action prévue"), required=False, max_length=5000)


def referential_choices(organisation: Any) -> Any:
    return Referential.objects.filter(organisation=organisation)
