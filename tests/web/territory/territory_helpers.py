"""Builders for the territory tests."""

from decimal import Decimal

from django.utils import timezone

from impactnum.web.reuse.models import Beneficiary, Device, Lot, Party, Provision, SupportSession

TODAY = timezone.localdate()
YEAR = TODAY.year


def add_activity(org, commune: str, provisions: int = 0, sessions: int = 0) -> None:
    """`provisions` devices provided to, and `sessions` individual sessions of, people of the
    commune this year (built directly: only the counts matter here)."""
    donor, _ = Party.objects.get_or_create(organisation=org, kind="citizen", name="Donateur")
    lot, _ = Lot.objects.get_or_create(
        organisation=org, reference="L-act", defaults={"donor": donor, "received_on": TODAY}
    )
    for i in range(max(provisions, sessions)):
        person = Beneficiary.objects.create(
            organisation=org,
            pseudonym=f"P-{commune}-{i}-{Beneficiary.objects.count()}",
            commune=commune,
        )
        if i < provisions:
            d = Device.objects.create(
                organisation=org,
                lot=lot,
                asset_tag=f"A-{person.pk}",
                kind="smartphone",
                status="provided",
            )
            Provision.objects.create(
                device=d,
                type="donation",
                beneficiary=person,
                provided_on=TODAY,
                price_eur=Decimal(0),
            )
        if i < sessions:
            SupportSession.objects.create(
                organisation=org, beneficiary=person, date=TODAY, minutes=30
            )


INDEX_CSV = (
    b"code_insee;commune;acces_interfaces;acces_information;competences_administratives;"
    b"competences_numeriques;score_global\n"
    b"58194;Nevers;110,5;98;120;101;107,4\n"
    b"58086;Fourchambault;130;115;125;118;122\n"
    b"58303;Varennes-Vauzelles;90;92;95;94;93\n"
)
