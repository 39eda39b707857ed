"""Reading a referential file: the JSON of the official RGESN (the NumEcoDiag structure), the same
with the 2024 fields (priority, effort), or a CSV with the same columns.

JSON: an object with `version`, `title`, `url` and `criteres`, a list of items `{"id": "1.1",
"critere": "<question>", "thematique": "<family>", "url": "<sheet>"}`; an item may add
`priorite` (or `priority`: prioritaire / recommandé / modéré) and `effort` (faible / moyen /
fort). CSV (`;`, `,` or tab, UTF-8 or Windows-1252): a header line with the columns `id`,
`critere`, `thematique`, and optionally `url`, `priorite`, `effort`.

The whole file is checked before anything is stored: every problem is reported with where it is
(the item's index and id, or the line), the field and why; the file is imported only without any.
No Django here, so the rules can be read and tested on their own.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_BYTES = 2 * 1024 * 1024
MAX_CRITERIA = 1000
CODE = re.compile(r"^\d{1,2}\.\d{1,2}$")
PRIORITIES = {"prioritaire": "prioritaire", "recommande": "recommande", "modere": "modere"}
EFFORTS = {"faible": "faible", "moyen": "moyen", "fort": "fort"}
CSV_REQUIRED = ("id", "critere", "thematique")
CSV_OPTIONAL = ("url", "priorite", "effort")


@dataclass(frozen=True)
class Problem:
    """One problem of the file: where (an item or a line), which field, why."""

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        place = f"{self.where}, " if self.where else ""
        return f"{place}{self.field} : {self.message}"


class ReferentialFileError(Exception):
    """The file is refused; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CriterionRow:
    code: str
    family: str
    question: str
    url: str = ""
    priority: str = ""
    effort: str = ""


@dataclass
class ParsedReferential:
    version: str
    title: str
    source_url: str
    criteria: list[CriterionRow] = field(default_factory=list)

    @property
    def checksum(self) -> str:
        """SHA-256 of the criteria as stored: the same file imported twice has the same one."""
        data = json.dumps([asdict(c) for c in self.criteria], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


def _plain(value: str) -> str:
    """Lower case without accents: « Recommandé » and « recommande » are the same level."""
    decomposed = unicodedata.normalize("NFKD", value.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _text(value: Any) -> str:
    return html.unescape(value).strip() if isinstance(value, str) else ""


class _Checker:
    """Collects the criteria and the problems of one file."""

    def __init__(self) -> None:
        self.rows: list[CriterionRow] = []
        self.problems: list[Problem] = []
        self.seen: dict[str, str] = {}

    def problem(self, where: str, name: str, message: str) -> None:
        self.problems.append(Problem(where, name, message))

    def add(self, where: str, item: dict[str, Any], names: dict[str, str]) -> None:
        """Check one item; `names` maps our field to the name used in the file (for messages)."""
        before = len(self.problems)
        raw_code = item.get("id")
        # A number is refused rather than read: 1.10 would become « 1.1 ».
        code = raw_code.strip() if isinstance(raw_code, str) else ""
        if raw_code not in (None, "") and not isinstance(raw_code, str):
            self.problem(where, names["code"], f"texte attendu (« 1.1 »), pas {raw_code!r}")
        elif not code:
            self.problem(where, names["code"], "obligatoire")
        elif not CODE.match(code):
            self.problem(where, names["code"], f"« {code} » n'est pas un numéro comme « 1.1 »")
        elif code in self.seen:
            self.problem(where, names["code"], f"« {code} » figure déjà ({self.seen[code]})")
        else:
            self.seen[code] = where
        values = {}
        for ours in ("question", "family"):
            values[ours] = _text(item.get(names[ours]))
            if not values[ours]:
                self.problem(where, names[ours], "obligatoire, texte non vide")
        url = _text(item.get(names["url"]))
        if url and not url.startswith(("https://", "http://")):
            self.problem(where, names["url"], f"« {url} » n'est pas une adresse http(s)")
        priority = self._level(where, item, names["priority"], PRIORITIES)
        effort = self._level(where, item, names["effort"], EFFORTS)
        if len(self.problems) == before:
            self.rows.append(
                CriterionRow(code, values["family"], values["question"], url, priority, effort)
            )

    def _level(self, where: str, item: dict[str, Any], name: str, allowed: dict[str, str]) -> str:
        raw = item.get(name)
        if raw in (None, ""):
            return ""
        found = allowed.get(_plain(raw)) if isinstance(raw, str) else None
        if found is None:
            self.problem(where, name, f"« {raw} » n'est pas parmi : {', '.join(allowed)}")
            return ""
        return found

    def finish(self) -> list[CriterionRow]:
        if not self.rows and not self.problems:
            self.problem("", "criteres", "le fichier ne contient aucun critère")
        if len(self.rows) > MAX_CRITERIA:
            self.problem("", "criteres", f"plus de {MAX_CRITERIA} critères")
        if self.problems:
            raise ReferentialFileError(self.problems)
        return self.rows


def parse_json(data: bytes) -> ParsedReferential:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ReferentialFileError([Problem("", "fichier", "le JSON doit être en UTF-8")]) from exc
    except json.JSONDecodeError as exc:
        where = f"ligne {exc.lineno}, colonne {exc.colno}"
        raise ReferentialFileError(
            [Problem(where, "fichier", f"JSON invalide ({exc.msg})")]
        ) from exc
    if not isinstance(doc, dict):
        raise ReferentialFileError([Problem("", "fichier", "un objet JSON est attendu")])
    items = doc.get("criteres", doc.get("criteria"))
    if not isinstance(items, list):
        raise ReferentialFileError([Problem("", "criteres", "obligatoire : la liste des critères")])
    checker = _Checker()
    for index, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        where = f"criteres[{index}]" + (f" (id {ident})" if ident not in (None, "") else "")
        if not isinstance(item, dict):
            checker.problem(where, "critère", "un objet est attendu")
            continue
        names = {
            "code": "id",
            "question": "critere",
            "family": "thematique",
            "url": "url",
            "priority": "priority" if "priority" in item else "priorite",
            "effort": "effort",
        }
        checker.add(where, item, names)
    rows = checker.finish()
    version = doc.get("version")
    return ParsedReferential(
        version=str(version).strip() if isinstance(version, (str, int, float)) else "",
        title=_text(doc.get("title")),
        source_url=_text(doc.get("url")),
        criteria=rows,
    )


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_csv(data: bytes) -> ParsedReferential:
    text = _decode(data)
    header = text.splitlines()[0] if text.strip() else ""
    separator = max((";", ",", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text), delimiter=separator)
    columns = [_plain(c) for c in next(reader, [])]
    missing = [c for c in CSV_REQUIRED if c not in columns]
    if missing:
        raise ReferentialFileError(
            [Problem("ligne 1", c, "colonne obligatoire absente de l'en-tête") for c in missing]
        )
    known = set(CSV_REQUIRED) | set(CSV_OPTIONAL)
    unknown = [c for c in columns if c and c not in known]
    if unknown:
        raise ReferentialFileError([Problem("ligne 1", c, "colonne inconnue") for c in unknown])
    checker = _Checker()
    names = {
        "code": "id",
        "question": "critere",
        "family": "thematique",
        "url": "url",
        "priority": "priorite",
        "effort": "effort",
    }
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            checker.problem(
                f"ligne {line}",
                "ligne",
                f"{len(cells)} cellules au lieu de {len(columns)}",
            )
            continue
        checker.add(f"ligne {line}", dict(zip(columns, cells, strict=True)), names)
    return ParsedReferential(version="", title="", source_url="", criteria=checker.finish())


def parse(file_name: str, data: bytes) -> ParsedReferential:
    """Read a `.json` or `.csv` file (by its extension) into a checked referential."""
    if len(data) > MAX_BYTES:
        raise ReferentialFileError(
            [Problem("", "fichier", f"plus de {MAX_BYTES // (1024 * 1024)} Mo")]
        )
    lower = file_name.lower()
    if lower.endswith(".json"):
        return parse_json(data)
    if lower.endswith(".csv"):
        return parse_csv(data)
    raise ReferentialFileError(
        [Problem("", "fichier", "format inconnu : un fichier .json ou .csv est attendu")]
    )
