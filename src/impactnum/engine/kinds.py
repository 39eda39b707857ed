"""Kinds of equipment: the one list of them, with French and English labels.

A factor set covers a subset of these kinds; asking for a kind a set does not cover is an
error that names the set and the kinds it does cover.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    label_fr: str
    label_en: str


KINDS: tuple[Kind, ...] = (
    Kind("laptop", "Ordinateur portable", "Laptop"),
    Kind("desktop", "Ordinateur fixe (professionnel)", "Desktop (professional)"),
    Kind("desktop_household", "Ordinateur fixe (ménage)", "Desktop (household)"),
    Kind("monitor", "Écran", "Monitor"),
    Kind("television", "Télévision / affichage", "Television / display"),
    Kind("smartphone", "Smartphone", "Smartphone"),
    Kind("tablet", "Tablette", "Tablet"),
    Kind("box", "Box internet", "Internet box"),
    Kind("printer", "Imprimante", "Printer"),
    Kind("game_console", "Console de jeu", "Game console"),
    Kind("server", "Serveur", "Server"),
    Kind("network_equipment", "Équipement réseau", "Network equipment"),
    Kind("iot_datalogger", "Enregistreur IoT (datalogger)", "IoT datalogger"),
    Kind("iot_sensor", "Capteur IoT", "IoT sensor"),
    Kind("iot_controller", "Contrôleur IoT (éclairage…)", "IoT controller (lighting…)"),
    Kind("other", "Autre", "Other"),
)

KIND_CODES: tuple[str, ...] = tuple(k.code for k in KINDS)
