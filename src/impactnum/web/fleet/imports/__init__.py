"""Fleet imports: GLPI's computer export, NumEcoEval's physical equipment, impactnum's own CSV
and XLSX template; previewed, then written all or nothing.

    parsed = read_import_file(path, fmt="auto")      # never raises for a bad file
    if not parsed.ok: show parsed.error_lines()
    plan = build_plan(organisation, parsed)          # reads only: what would happen, line by line
    result = apply(actor, plan)                      # one transaction; StalePlan if the fleet moved

See docs/fleet-imports.md.
"""

from .common import FORMATS, ImportRow, ParsedFile
from .plan import (
    BULK_THRESHOLD,
    Creation,
    ImportResult,
    Plan,
    Refusal,
    StalePlan,
    Update,
    apply,
    build_plan,
)
from .reader import detect_format, read_import_file

__all__ = [
    "BULK_THRESHOLD",
    "FORMATS",
    "Creation",
    "ImportResult",
    "ImportRow",
    "ParsedFile",
    "Plan",
    "Refusal",
    "StalePlan",
    "Update",
    "apply",
    "build_plan",
    "detect_format",
    "read_import_file",
]
