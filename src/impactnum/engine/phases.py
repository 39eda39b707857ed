"""Life-cycle phases (NumEcoEval's steps): the one list of them.

`manufacture`, `distribution` and `end_of_life` are the embedded phases, spread over the
lifespan in the annual view; `use` comes from electricity (or a per-year figure).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    code: str
    numecoeval: str
    label_fr: str
    label_en: str


PHASES: tuple[Phase, ...] = (
    Phase("manufacture", "FABRICATION", "Fabrication", "Manufacture"),
    Phase("distribution", "DISTRIBUTION", "Distribution", "Distribution"),
    Phase("use", "UTILISATION", "Utilisation", "Use"),
    Phase("end_of_life", "FIN_DE_VIE", "Fin de vie", "End of life"),
)

PHASE_CODES: tuple[str, ...] = tuple(p.code for p in PHASES)
PHASE_INDEX: dict[str, int] = {code: i for i, code in enumerate(PHASE_CODES)}
EMBEDDED_PHASES: tuple[str, ...] = ("manufacture", "distribution", "end_of_life")
USE = "use"
