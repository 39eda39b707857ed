"""Printable documents of the reuse chain, as PDF (reportlab, built-in Helvetica):

- the wipe certificate of a device (NIST SP 800-88 Rev.1 §4.7 / App. G fields, one row per
  storage medium, with the tool's report SHA-256);
- the donation receipt of a lot (donor, date, site, origin, count, weight, items; a citizen
  donor appears only by the name and contact a receipt needs);
- the provision agreement of a device (type, price, the legal guarantees of a sale with their
  dates — C. conso L.217-3 and L.217-7 —, the recipient's pseudonym or organisation, nothing
  else about the person).

`compress=False` gives readable bytes (tests look for the text).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .choices import LotOrigin, PartyKind, ProvisionType, SanitisationResult
from .models import Device, Lot, Provision, SanitisationRecord, StorageMedium

NIST_REFERENCE = "NIST SP 800-88 Rev.1 (§4.7, annexe G) / Rev.2 (2025)"


class _Styles:
    def __init__(self) -> None:
        base = getSampleStyleSheet()
        self.title = ParagraphStyle("t", parent=base["Title"], fontSize=16)
        self.h2 = ParagraphStyle("h2", parent=base["Heading2"], fontSize=11.5, spaceBefore=8)
        self.body = ParagraphStyle("b", parent=base["BodyText"], fontSize=9, leading=11.5)
        self.small = ParagraphStyle("s", parent=self.body, fontSize=7.5, leading=9.5)
        self.cell = ParagraphStyle("c", parent=self.body, fontSize=7.5, leading=9)
        self.head = ParagraphStyle("h", parent=self.cell, fontName="Helvetica-Bold")
        self.alert = ParagraphStyle(
            "a", parent=self.body, textColor=colors.HexColor("#a4161a"), fontName="Helvetica-Bold"
        )
        self.mono = ParagraphStyle("m", parent=self.cell, fontName="Courier", fontSize=6.5)
        self.ok = ParagraphStyle("o", parent=self.body, fontName="Helvetica-Bold")


ST = _Styles()
GRID = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa7b1")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
)
HEAD_GRID = TableStyle([*GRID.getCommands(), ("BACKGROUND", (0, 0), (-1, 0), "#e8eef3")])


def _p(text: Any, style: ParagraphStyle = ST.body) -> Paragraph:
    return Paragraph(escape(str(text if text not in (None, "") else "—")), style)


def _date(day: dt.date | dt.datetime | None) -> str:
    if day is None:
        return "—"
    if isinstance(day, dt.datetime):
        return timezone.localtime(day).strftime("%d/%m/%Y %H:%M")
    return day.strftime("%d/%m/%Y")


def _person(user: Any) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _fields(rows: Sequence[tuple[str, Any]], widths: tuple[float, float] = (55, 120)) -> Table:
    table = Table(
        [[_p(k, ST.head), _p(v, ST.cell)] for k, v in rows],
        colWidths=[widths[0] * mm, widths[1] * mm],
    )
    table.setStyle(GRID)
    return table


def _grid(head: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    data = [[_p(h, ST.head) for h in head]]
    data += [[c if isinstance(c, Paragraph) else _p(c, ST.cell) for c in r] for r in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(HEAD_GRID)
    return table


def _signatures(*who: str) -> Table:
    cells = [
        [_p(w, ST.head) for w in who],
        [_p(_("Nom, qualité, date et signature"), ST.small) for _w in who],
    ]
    table = Table(cells, colWidths=[175 / len(who) * mm] * len(who), rowHeights=[None, 24 * mm])
    table.setStyle(GRID)
    return table


def _build(story: list[Any], title: str, organisation: str, *, compress: bool) -> bytes:
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=17 * mm,
        rightMargin=17 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=organisation,
        creator="impactnum",
        invariant=int(not compress),
        pageCompression=int(compress),
    )

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(17 * mm, 9 * mm, f"{organisation} — {title}")
        canvas.drawRightString(A4[0] - 17 * mm, 9 * mm, _("page %(n)s") % {"n": doc.page})
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _sha(value: str) -> Paragraph:
    """The 64 hex digits in four groups of 16 (one line each in the narrow column)."""
    groups = " ".join(value[i : i + 16] for i in range(0, len(value), 16))
    return _p(groups or "—", ST.mono)


# --- wipe certificate -----------------------------------------------------------------------


def media_records(device: Device) -> list[tuple[StorageMedium, SanitisationRecord | None]]:
    """Every medium the device holds or held, with its successful record (else its last)."""
    out = []
    media = list(device.media.all()) + list(device.removed_media.all())
    for medium in media:
        records = list(medium.sanitisations.select_related("operator"))
        ok = next((r for r in records if r.result == SanitisationResult.SUCCESS), None)
        out.append((medium, ok or (records[0] if records else None)))
    return out


def wipe_certificate(device: Device, *, compress: bool = True) -> bytes:
    org = device.organisation.name
    title = _("Certificat d'effacement des données — %(t)s") % {"t": device.asset_tag}
    pairs = media_records(device)
    all_ok = bool(pairs) and all(
        r is not None and r.result == SanitisationResult.SUCCESS for _m, r in pairs
    )
    fleet = device.fleet_asset
    story: list[Any] = [
        _p(_("Certificat d'effacement des données"), ST.title),
        _p(
            _("Établi selon %(ref)s, le %(d)s.")
            % {"ref": NIST_REFERENCE, "d": _date(timezone.now())}
        ),
        Spacer(1, 3 * mm),
        _p(_("Appareil"), ST.h2),
        _fields(
            [
                (_("Organisation dépositaire"), org),
                (_("Étiquette"), device.asset_tag),
                (_("Type"), device.get_kind_display()),
                (_("Fabricant"), device.brand),
                (_("Modèle"), device.model),
                (_("Numéro de série"), device.serial_number),
                (_("N° d'inventaire d'origine"), fleet.inventory_number if fleet else ""),
                (_("Lot"), f"{device.lot.reference} ({_date(device.lot.received_on)})"),
                (_("Destination après effacement"), device.get_status_display()),
            ]
        ),
        _p(_("Supports de stockage"), ST.h2),
    ]
    rows = []
    for medium, rec in pairs:
        where = "" if medium.device_id == device.pk else _(" (retiré)")
        if rec is None:
            rows.append(
                [
                    f"{medium.get_type_display()}{where}",
                    medium.serial_number,
                    _p(_("NON EFFACÉ"), ST.alert),
                    "",
                    "",
                    "",
                    "",
                    "",
                ]
            )
            continue
        rows.append(
            [
                f"{medium.get_type_display()}{where}"
                + (f" {medium.capacity_gb} Go" if medium.capacity_gb else ""),
                medium.serial_number,
                f"{rec.get_level_display()} — {rec.method}",
                f"{rec.tool} {rec.tool_version}".strip(),
                rec.verification,
                f"{_person(rec.operator)} : {_date(rec.started_at)} → {_date(rec.ended_at)}",
                _p(
                    rec.get_result_display(),
                    ST.head if rec.result == SanitisationResult.SUCCESS else ST.alert,
                ),
                _sha(rec.report_sha256),
            ]
        )
    if rows:
        story.append(
            _grid(
                [
                    _("Type"),
                    _("N° de série"),
                    _("Niveau et méthode"),
                    _("Outil et version"),
                    _("Vérification"),
                    _("Opérateur, début → fin"),
                    _("Résultat"),
                    _("SHA-256 du rapport"),
                ],
                rows,
                [18, 20, 28, 20, 18, 30, 15, 27],
            )
        )
    else:
        story.append(_p(_("Aucun support de stockage enregistré pour cet appareil.")))
    story += [
        Spacer(1, 3 * mm),
        _p(
            _("Tous les supports de stockage ont été effacés avec succès.")
            if all_ok
            else _("ATTENTION : au moins un support n'a pas d'effacement réussi."),
            ST.ok if all_ok else ST.alert,
        ),
        _p(
            _(
                "Clear : écrasement logique ; Purge : effacement sécurisé du micrologiciel, "
                "effacement cryptographique ou démagnétisation ; Destroy : destruction physique. "
                "Le rapport de l'outil est conservé ; son empreinte SHA-256 permet d'en vérifier "
                "l'intégrité."
            ),
            ST.small,
        ),
        Spacer(1, 5 * mm),
        _signatures(_("Effacement réalisé par"), _("Vérification réalisée par")),
    ]
    return _build(story, title, org, compress=compress)


# --- donation receipt -----------------------------------------------------------------------


def donation_receipt(lot: Lot, *, compress: bool = True) -> bytes:
    org = lot.organisation.name
    donor = lot.donor
    title = _("Reçu de don — lot %(r)s") % {"r": lot.reference}
    devices = list(lot.devices.order_by("asset_tag"))
    donor_rows: list[tuple[str, Any]] = [(_("Donateur"), donor.name)]
    if donor.kind == PartyKind.CITIZEN:
        donor_rows.append((_("Contact"), donor.receipt_contact))
    else:
        donor_rows += [(_("Type"), donor.get_kind_display()), (_("SIRET"), donor.siret)]
    story: list[Any] = [
        _p(_("Reçu de don de matériel"), ST.title),
        _fields(
            [
                (_("Organisme bénéficiaire du don"), org),
                *donor_rows,
                (_("Lot"), lot.reference),
                (_("Reçu le"), _date(lot.received_on)),
                (_("Site de collecte"), lot.site),
                (_("Origine"), LotOrigin(lot.origin).label),
                (_("Nombre d'objets annoncés"), lot.items_declared),
                (_("Nombre d'appareils enregistrés"), len(devices)),
                (_("Poids (kg)"), f"{lot.weight_kg:.2f}".replace(".", ",")),
            ]
        ),
        _p(_("Objets reçus"), ST.h2),
    ]
    if devices:
        story.append(
            _grid(
                [_("Étiquette"), _("Type"), _("Marque et modèle"), _("N° de série")],
                [
                    [
                        d.asset_tag,
                        d.get_kind_display(),
                        f"{d.brand} {d.model}".strip(),
                        d.serial_number,
                    ]
                    for d in devices
                ],
                [28, 42, 60, 45],
            )
        )
    else:
        story.append(_p(_("Les appareils n'ont pas encore été enregistrés un par un.")))
    story += [
        Spacer(1, 3 * mm),
        _p(
            _(
                "Les données encore présentes sur les supports de stockage seront effacées selon "
                "%(ref)s ; un certificat d'effacement par appareil est disponible sur demande. "
                "Ce document atteste la remise du matériel ; il ne constitue pas un reçu fiscal."
            )
            % {"ref": NIST_REFERENCE},
            ST.small,
        ),
        Spacer(1, 5 * mm),
        _signatures(_("Pour le donateur"), _("Pour %(o)s") % {"o": org}),
    ]
    return _build(story, title, org, compress=compress)


# --- provision agreement --------------------------------------------------------------------


def provision_agreement(provision: Provision, *, compress: bool = True) -> bytes:
    device = provision.device
    org = device.organisation.name
    kind = ProvisionType(provision.type)
    title = _("Convention de remise — %(t)s") % {"t": device.asset_tag}
    if provision.beneficiary_id:
        recipient = _("Bénéficiaire %(p)s (pseudonyme)") % {"p": provision.beneficiary.pseudonym}
    else:
        recipient = provision.recipient.name if provision.recipient else "—"
    release = device.releases.filter(checklist_passed=True).order_by("-at").first()
    specs = ", ".join(
        x
        for x in (
            device.cpu,
            f"{device.ram_gb} Go RAM" if device.ram_gb else "",
            ", ".join(
                f"{m.get_type_display()} {m.capacity_gb or ''} Go".replace("  ", " ")
                for m in device.media.all()
            ),
        )
        if x
    )
    rows: list[tuple[str, Any]] = [
        (_("Fourni par"), org),
        (_("Remis à"), recipient),
        (_("Type de remise"), kind.label),
        (_("Date de remise"), _date(provision.provided_on)),
        (_("Appareil"), f"{device.asset_tag} — {device.get_kind_display()}"),
        (_("Marque et modèle"), f"{device.brand} {device.model}".strip()),
        (_("Numéro de série"), device.serial_number),
        (_("Configuration"), specs),
        (_("Grade esthétique"), release.get_grade_display() if release else ""),
        (
            _("Santé batterie"),
            f"{release.battery_health_pct} %" if release and release.battery_health_pct else "",
        ),
    ]
    if kind == ProvisionType.SOLIDARITY_SALE:
        rows.append((_("Prix TTC"), f"{provision.price_eur:.2f} €".replace(".", ",")))
    if provision.unit_value_eur is not None:
        rows.append((_("Valeur unitaire"), f"{provision.unit_value_eur:.2f} €".replace(".", ",")))
    story: list[Any] = [
        _p(_("Convention de remise d'un équipement reconditionné"), ST.title),
        _fields(rows),
        _p(_("Garanties"), ST.h2),
    ]
    if kind == ProvisionType.SOLIDARITY_SALE and provision.guarantee_until:
        story += [
            _p(
                _(
                    "Garantie légale de conformité de 24 mois (Code de la consommation, "
                    "art. L.217-3) : jusqu'au %(g)s."
                )
                % {"g": _date(provision.guarantee_until)}
            ),
            _p(
                _(
                    "Tout défaut de conformité apparu dans les 12 mois suivant la remise est "
                    "présumé exister au moment de la remise (art. L.217-7, biens d'occasion) : "
                    "jusqu'au %(p)s."
                )
                % {"p": _date(provision.presumption_until)}
            ),
        ]
    else:
        story.append(
            _p(
                _(
                    "Remise à titre gratuit : la garantie légale de conformité du Code de la "
                    "consommation (art. L.217-3 et suivants) ne s'applique qu'aux ventes."
                )
            )
        )
    if kind == ProvisionType.LOAN:
        story.append(
            _p(
                _("Prêt : l'appareil reste la propriété de %(o)s et lui est rendu à sa demande.")
                % {"o": org}
            )
        )
    story += [
        _p(_("Données"), ST.h2),
        _p(
            _(
                "Les supports de stockage de l'appareil ont été effacés selon %(ref)s avant la "
                "remise ; le certificat d'effacement est disponible sur demande."
            )
            % {"ref": NIST_REFERENCE}
        ),
        Spacer(1, 6 * mm),
        _signatures(_("Pour %(o)s") % {"o": org}, _("Pour le bénéficiaire ou l'organisation")),
    ]
    return _build(story, title, org, compress=compress)
