"""Extract, merge and compile the web interface's translations — pure Python (Babel), no
GNU gettext tools.

The interface's source strings are French; each other language has one catalogue,
src/impactnum/web/locale/<lang>/LC_MESSAGES/django.po, and its compiled django.mo (committed,
so that nothing needs compiling at install or run time).

    python scripts/compile_translations.py          # extract, merge into the .po, compile .mo
    python scripts/compile_translations.py --check  # exit 1 if a string lacks a translation
                                                    # or a .mo is not the compilation of its .po

Extraction: Python files with Babel's Python extractor (gettext, gettext_lazy, ngettext,
pgettext … and `_`); Django templates through Django's own `templatize` (what `makemessages`
uses), whose output Babel's Python extractor reads — so `{% translate %}`, `{% blocktranslate %}`
(with `{{ name }}` as `%(name)s`, `trimmed`, `{% plural %}`, `context`) and `_("…")` in tags
give exactly the msgids Django looks up at run time. Merging keeps existing translations; strings
no longer in the sources are dropped.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "src" / "impactnum" / "web"
LOCALE = WEB / "locale"
LANGUAGES = ("en",)
DOMAIN = "django"

KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def extract_django(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[Any]:
    """Babel extractor for Django templates: Django's `templatize` turns the translation tags
    into gettext calls (line numbers kept), which the Python extractor then reads."""
    from django.utils.translation.template import templatize

    code = templatize(fileobj.read().decode("utf-8"))
    yield from extract_python(
        io.BytesIO(code.encode("utf-8")), keywords, comment_tags, {"encoding": "utf-8"}
    )


METHOD_MAP = [
    ("**/migrations/**", "ignore"),
    ("**/locale/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", extract_django),
    ("**/templates/**.txt", extract_django),
]


def extract() -> Catalog:
    """Every translatable string of src/impactnum/web, as a template catalogue."""
    template = Catalog(project="impactnum", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        WEB,
        METHOD_MAP,  # type: ignore[arg-type]
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
        strip_comment_tags=True,
    ):
        template.add(
            message,
            None,
            [(f"src/impactnum/web/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog | None:
    path = po_path(lang)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def render_po(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, include_lineno=False, sort_output=True, ignore_obsolete=True)
    return buf.getvalue()


def render_mo(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def untranslated(catalog: Catalog) -> list[str]:
    out = []
    for m in catalog:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple | list) else (m.string,)
        if m.fuzzy or not all(strings):
            out.append(m.id if isinstance(m.id, str) else m.id[0])
    return out


def _key(m: Any) -> Any:
    return (m.id, m.context)


def update(lang: str, template: Catalog) -> Catalog:
    """The language's catalogue with the template's messages, translations kept."""
    existing = read(lang)
    if existing is None:
        existing = Catalog(
            locale=lang,
            domain=DOMAIN,
            project="impactnum",
            version="",
            copyright_holder="impactnum contributors",
            msgid_bugs_address="",
            last_translator="impactnum contributors",
            language_team=f"{lang} <>",
            header_comment=(
                f"# {lang} translation of the impactnum web interface (source strings: French).\n"
                "# Made by scripts/compile_translations.py; edit the msgstr lines only.\n"
                "# This file is distributed under the same licence as impactnum (EUPL-1.2).\n#"
            ),
            fuzzy=False,
        )
    created = existing.creation_date
    existing.update(template, no_fuzzy_matching=True, update_header_comment=False)
    existing.creation_date = created  # no churn in the header when nothing changed
    existing.obsolete.clear()
    existing.fuzzy = False
    return existing


def run(check: bool) -> int:
    template = extract()
    problems: list[str] = []
    for lang in LANGUAGES:
        po, mo = po_path(lang), po_path(lang).with_suffix(".mo")
        if check:
            catalog = read(lang)
            if catalog is None:
                problems.append(f"{po}: missing")
                continue
            known = {_key(m) for m in catalog if m.id}
            for m in template:
                if m.id and _key(m) not in known:
                    problems.append(f"{po}: not extracted yet: {m.id!r}")
            problems += [f"{po}: no translation: {msgid!r}" for msgid in untranslated(catalog)]
            wanted = {_key(m) for m in template if m.id}
            obsolete = [m.id for m in catalog if m.id and _key(m) not in wanted]
            for msgid in obsolete:
                print(f"note: {po}: no longer in the sources: {msgid!r}", file=sys.stderr)
            if not mo.exists() or mo.read_bytes() != render_mo(catalog):
                problems.append(f"{mo}: stale, run scripts/compile_translations.py")
            continue
        catalog = update(lang, template)
        previous = po.read_bytes() if po.exists() else b""
        text = render_po(catalog)
        if text != previous:
            catalog.revision_date = datetime.now(timezone.utc)  # noqa: UP017
            text = render_po(catalog)
            po.parent.mkdir(parents=True, exist_ok=True)
            po.write_bytes(text)
        # Compile what was written (read back, so the .mo matches the .po exactly).
        compiled = render_mo(read(lang) or catalog)
        if not mo.exists() or mo.read_bytes() != compiled:
            mo.write_bytes(compiled)
        missing = untranslated(catalog)
        print(f"{lang}: {len(catalog)} messages, {len(missing)} without translation")
        for msgid in missing:
            print(f"  {msgid!r}")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="fail on missing translations or a stale .mo"
    )
    args = parser.parse_args(argv)
    return run(args.check)


if __name__ == "__main__":
    sys.exit(main())
