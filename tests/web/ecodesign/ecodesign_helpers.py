"""Helpers of the eco-design tests: a small invented referential in the structure of the official
RGESN file (its texts are not the RGESN's), and an API caller."""

import json
from typing import Any

from impactnum.web.core import services as core_services

# Same structure as the official file (`criteres` of {id, critere, thematique, url}); invented
# texts. Families: Stratégie 2, Frontend 3, Hébergement 1.
CRITERIA = [
    ("1.1", "Le service a-t-il une raison d'être écrite ?", "Stratégie"),
    ("1.2", "Le service a-t-il un référent nommé ?", "Stratégie"),
    ("6.1", "Les pages ont-elles un poids plafond ?", "Frontend"),
    ("6.2", "Les réponses sont-elles compressées ?", "Frontend"),
    ("6.3", "Les ressources sont-elles mises en cache ?", "Frontend"),
    ("8.1", "L'hébergeur publie-t-il son efficacité énergétique ?", "Hébergement"),
]


def referential_doc(priorities: list[str] | None = None, **top: Any) -> dict[str, Any]:
    items = []
    for i, (code, question, family) in enumerate(CRITERIA):
        item = {
            "id": code,
            "url": f"https://referentiel.example/critere/{code}/",
            "critere": question,
            "thematique": family,
        }
        if priorities:
            item["priorite"] = priorities[i]
            item["effort"] = "moyen"
        items.append(item)
    return {
        "title": "Référentiel d&#39;essai",
        "url": "https://referentiel.example/",
        "version": "v1",
        "criteres": items,
        **top,
    }


def referential_bytes(doc: dict[str, Any] | None = None) -> bytes:
    return json.dumps(doc or referential_doc(), ensure_ascii=False).encode()


def criterion(referential, code):
    return referential.criteria.get(code=code)


class Api:
    """JSON calls with a personal token."""

    def __init__(self, client: Any, user: Any) -> None:
        self.client = client
        _token, raw = core_services.create_token(user, "tests")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params or None, **self.headers)
