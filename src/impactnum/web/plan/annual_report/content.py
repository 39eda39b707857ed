"""The yearly report as a list of blocks (headings, paragraphs, tables) built once from
`annual_report`'s data and rendered as they are by the page, the PDF and the DOCX.

Numbers are formatted here, in the active language; a missing value is « non disponible »,
never 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impactnum.web.projects.templatetags.impactnum_format import format_number


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    kind: str = "heading"


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False
    kind: str = "para"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: list[float] = field(default_factory=list)  # relative widths, for the PDF
    kind: str = "table"


Block = Heading | Para | Table


def missing() -> str:
    return _("non disponible")


def num(value: Any, digits: int | None = None) -> str:
    return missing() if value is None else format_number(value, digits)


def pct(share: Any) -> str:
    """A share (0.25) as « 25 % »."""
    return missing() if share is None else f"{format_number(100 * float(share), 1)}\u00a0%"


def day(iso: str | None) -> str:
    return date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT") if iso else "—"


def yes_no(value: bool | None) -> str:
    return "—" if value is None else (_("oui") if value else _("non"))


def title(data: dict[str, Any]) -> str:
    return _("Bilan annuel %(y)s de la stratégie numérique responsable — %(o)s") % {
        "y": data["year"],
        "o": data["organisation"]["name"],
    }


def _fleet(data: dict[str, Any]) -> list[Block]:
    f = data["fleet"]
    out: list[Block] = [
        Heading(_("1. Empreinte environnementale du parc informatique")),
        Para(
            _("Équipements détenus au %(d)s et comptés dans l'empreinte : %(n)s.")
            % {"d": day(f["on"]), "n": num(f["assets"])}
        ),
    ]
    if not f["assets"]:
        out.append(Para(_("Aucun équipement détenu à cette date : pas d'empreinte calculée.")))
        return out
    out.append(
        Table(
            [_("Critère"), _("Valeur"), _("Bas"), _("Haut"), _("Unité")],
            [
                [c["label"], num(c["value"]), num(c["low"]), num(c["high"]), c["unit"]]
                for c in f["criteria"]
            ],
            [4, 1.5, 1.5, 1.5, 1.5],
        )
    )
    source = f["factor_set"]
    if f["factor_set_publisher"]:
        source += f" — {f['factor_set_publisher']}"
    if f["factor_set_title"]:
        source += f" : {f['factor_set_title']}"
    out.append(Para(_("Jeu de facteurs : %(s)s.") % {"s": source}, muted=True))
    if f["factor_set_url"]:
        out.append(Para(f["factor_set_url"], muted=True))
    out.append(
        Para(
            _(
                "Empreinte annuelle : fabrication, distribution et fin de vie réparties sur la "
                "durée de vie, plus l'usage d'une année ; bas et haut encadrent la valeur "
                "(incertitude des facteurs). Méthode : %(m)s."
            )
            % {"m": f["method"]},
            muted=True,
        )
    )
    out += [Para(w, muted=True) for w in f["warnings"]]
    return out


def _quotas(data: dict[str, Any]) -> list[Block]:
    q = data["quotas"]
    agec, retired = q["agec"], q["retired_reuse"]
    return [
        Heading(_("2. Quotas légaux %(y)s") % {"y": data["year"]}),
        Table(
            [_("Obligation"), _("Part atteinte"), _("Cible"), _("Atteinte ?")],
            [
                [
                    _("AGEC art. 58 — achats informatiques issus du réemploi ou recyclés"),
                    pct(agec["share"]),
                    pct(agec["target"]),
                    yes_no(agec["met"]),
                ],
                [
                    _("Décret 2023-266 — matériel réformé orienté vers le réemploi")
                    + f" ({retired['a']} / {retired['b']})",
                    pct(retired["share"]),
                    pct(retired["target"]),
                    yes_no(retired["met"]),
                ],
            ],
            [6, 1.5, 1.5, 1.2],
        ),
        Para(
            _(
                "AGEC art. 58 : part des acquisitions HT (%(eur)s € HT) issues du réemploi, de "
                "dons ou intégrant des matières recyclées (décret 2024-134). Décret 2023-266 : "
                "A ÷ B, A = matériel réformé remis au réemploi avec preuve, B = stock réformé au "
                "1er janvier."
            )
            % {"eur": num(agec["acquisitions_eur"], 0)},
            muted=True,
        ),
        *[Para(w, muted=True) for w in q["warnings"]],
    ]


REUSE_ROWS = (
    ("devices_collected", gettext_lazy("Équipements collectés"), ""),
    ("kg_collected", gettext_lazy("Masse collectée"), "kg"),
    ("devices_provided", gettext_lazy("Équipements remis (don, vente solidaire, prêt)"), ""),
    ("people_equipped", gettext_lazy("Personnes équipées"), ""),
    ("organisations_equipped", gettext_lazy("Structures équipées"), ""),
    ("kg_recycled", gettext_lazy("Masse envoyée au recyclage (DEEE)"), "kg"),
    ("support_sessions", gettext_lazy("Séances d'accompagnement"), ""),
    ("people_supported", gettext_lazy("Personnes accompagnées"), ""),
    ("ewaste_avoided_kg", gettext_lazy("Déchets électroniques évités"), "kg"),
)


def _reuse(data: dict[str, Any]) -> list[Block]:
    r = data["reuse"]
    rows = [[str(label), f"{num(r[key])} {unit}".strip()] for key, label, unit in REUSE_ROWS]
    rows.insert(5, [_("Taux de réemploi"), pct(r["reuse_rate"])])
    rows.append(
        [
            _("Émissions évitées (comptées ici seulement)"),
            f"{num(r['co2e_avoided_kg'])} kgCO2e ({num(r['co2e_avoided_low_kg'])}–"
            f"{num(r['co2e_avoided_high_kg'])})",
        ]
    )
    return [
        Heading(_("3. Filière de réemploi")),
        Para(_("Du %(a)s au %(b)s.") % {"a": day(r["date_from"]), "b": day(r["date_to"])}),
        Table([_("Indicateur"), _("Valeur")], rows, [5, 3]),
        Para(data["avoided_once"]["rule"], muted=True),
        Para(_("Méthode des émissions évitées : %(m)s.") % {"m": r["co2e_method"]}, muted=True),
    ]


def _projects(data: dict[str, Any]) -> list[Block]:
    p = data["projects"]
    out: list[Block] = [Heading(_("4. Bilans nets des projets"))]
    if not p["projects"]:
        return [*out, Para(_("Aucun projet enregistré."))]
    rows = []
    for row in p["projects"]:
        net = row.get("net") or {}
        if row.get("error"):
            rows.append(
                [row["name"], "—", _("non calculable : %(e)s") % {"e": row["error"]}, "", ""]
            )
        else:
            rows.append(
                [
                    row["name"],
                    row.get("baseline") or "",
                    num(net.get("value")),
                    num(net.get("low")),
                    num(net.get("high")),
                ]
            )
    return [
        *out,
        Table(
            [_("Projet"), _("Scénario"), _("Bilan net (kgCO2e/an)"), _("Bas"), _("Haut")],
            rows,
            [4, 2.5, 2, 1.5, 1.5],
        ),
        Para(
            _(
                "Bilan net = impacts du scénario de référence moins impacts évités, par an ; "
                "négatif, le projet évite plus qu'il n'émet."
            ),
            muted=True,
        ),
    ]


def _commitments(data: dict[str, Any]) -> list[Block]:
    c = data["commitments"]
    s = c["summary"]
    if c["source"] == "evaluation":
        origin = _("Selon l'évaluation figée « %(l)s » du %(d)s.") % {
            "l": c["evaluation"]["label"],
            "d": day(c["on"]),
        }
    else:
        origin = _("État calculé en direct au %(d)s (aucune évaluation figée cette année).") % {
            "d": day(c["on"])
        }
    out: list[Block] = [
        Heading(_("5. Avancement des engagements")),
        Para(origin, muted=True),
    ]
    if not s["commitments"]:
        return [*out, Para(_("Aucun engagement enregistré."))]
    out.append(
        Para(
            _(
                "%(c)s engagements, %(d)s actions réalisées sur %(a)s, %(l)s en retard ; "
                "avancement moyen %(p)s %%."
            )
            % {
                "c": s["commitments"],
                "d": s["actions_done"],
                "a": s["actions"],
                "l": s["actions_late"],
                "p": num(s["mean_progress"], 0),
            }
        )
    )
    out.append(
        Table(
            [
                _("Réf."),
                _("Engagement"),
                _("Avancement (%)"),
                _("Actions réalisées"),
                _("En retard"),
            ],
            [
                [
                    x["reference"],
                    x["title"],
                    num(x["progress"], 0),
                    f"{x['actions_done']} / {x['actions']}",
                    str(x["actions_late"]),
                ]
                for x in c["commitments"]
            ],
            [1.2, 6, 1.6, 1.6, 1.2],
        )
    )
    return out


def _objectives(data: dict[str, Any]) -> list[Block]:
    o = data["objectives"]
    out: list[Block] = [Heading(_("6. Objectifs de la stratégie et indicateurs de suivi"))]
    strategy = o["strategy"]
    if strategy is None:
        out.append(Para(_("Aucune stratégie numérique responsable enregistrée pour cette année.")))
    else:
        adopted = (
            _("adoptée le %(d)s") % {"d": day(strategy["adopted_on"])}
            if strategy["adopted_on"]
            else _("non encore adoptée")
        )
        out.append(
            Para(
                f"{strategy['title']} — "
                + _("version %(y)s") % {"y": strategy["year"]}
                + f", {adopted}.",
                muted=True,
            )
        )
        if o["text"]:
            out += [Para(p) for p in o["text"].split("\n") if p.strip()]
        else:
            out.append(Para(_("La partie « objectifs » de la stratégie n'est pas encore rédigée.")))
    if o["indicators"]:
        out.append(
            Table(
                [
                    _("Engagement"),
                    _("Indicateur"),
                    _("Valeur"),
                    _("Cible"),
                    _("Échéance"),
                    _("Dans la trajectoire"),
                ],
                [
                    [
                        i["commitment"],
                        i["name"],
                        f"{num(i['value'])} {i['unit']}".strip(),
                        num(i["target"]),
                        day(i["target_on"]),
                        yes_no(i["on_track"]),
                    ]
                    for i in o["indicators"]
                ],
                [1.5, 4.5, 2, 1.5, 1.8, 1.6],
            )
        )
    else:
        out.append(Para(_("Aucun indicateur de suivi dans le plan d'action.")))
    return out


def blocks(data: dict[str, Any]) -> list[Block]:
    """The whole report, in reading order (the title is `title(data)`)."""
    intro: list[Block] = [
        Para(
            _("Période : du %(a)s au %(b)s. Établi le %(g)s avec impactnum.")
            % {
                "a": day(data["date_from"]),
                "b": day(data["date_to"]),
                "g": day(data["generated_on"]),
            }
        ),
        *[Para(text, muted=True) for text in data["legal_basis"]],
    ]
    return [
        *intro,
        *_fleet(data),
        *_quotas(data),
        *_reuse(data),
        *_projects(data),
        *_commitments(data),
        *_objectives(data),
    ]
