"""Forms of the territory pages: what to publish, and the fragility index file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Publication
from .publication import FIELDS

MAX_UPLOAD = 5 * 1024 * 1024


class PublicationForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = list(FIELDS)


class FragilityImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de l'indice (CSV)"),
        help_text=_(
            "Une ligne par commune : code_insee et/ou commune, acces_interfaces, "
            "acces_information, competences_administratives, competences_numeriques, "
            "score_global (séparateur ; ou ,)."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("ex. « Indice de fragilité numérique, Mednum, 2023 »"),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Fichier trop volumineux (5 Mo au plus)."))
        return f
