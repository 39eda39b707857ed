"""impactnum's calculation engine: pure Python + NumPy, no Django, no I/O at import.

Public API: factor sets (`load_factor_set`, `list_factor_sets`, `FactorOverride`), inputs
(`EquipmentLines`, `Scenario`, `NetworkLine`, `AvoidedFlow`), computations (`compute_annual`,
`compute_scenario`, `compare_scenarios`) and the registries (criteria, phases, kinds, flows).
"""

from .annual import InventoryResult, compute_annual
from .criteria import CRITERIA, CRITERION_CODES, Criterion
from .errors import EngineInputError, FactorSetError
from .factorset import (
    FactorOverride,
    FactorSet,
    available_sets,
    list_factor_sets,
    load_factor_set,
    load_factor_set_dir,
)
from .flows import AVOIDED_FLOWS, FLOW_CODES, NETWORK_KINDS
from .inputs import Categorical, EquipmentLines, Status, consumption, lifespan_from_dates
from .kinds import KIND_CODES, KINDS
from .phases import PHASE_CODES, PHASES
from .scenario import (
    AvoidedFlow,
    NetworkLine,
    Scenario,
    ScenarioResult,
    compare_scenarios,
    compute_scenario,
)
from .version import ENGINE_VERSION

__all__ = [
    "AVOIDED_FLOWS",
    "CRITERIA",
    "CRITERION_CODES",
    "ENGINE_VERSION",
    "FLOW_CODES",
    "KINDS",
    "KIND_CODES",
    "NETWORK_KINDS",
    "PHASES",
    "PHASE_CODES",
    "AvoidedFlow",
    "Categorical",
    "Criterion",
    "EngineInputError",
    "EquipmentLines",
    "FactorOverride",
    "FactorSet",
    "FactorSetError",
    "InventoryResult",
    "NetworkLine",
    "Scenario",
    "ScenarioResult",
    "Status",
    "available_sets",
    "compare_scenarios",
    "compute_annual",
    "compute_scenario",
    "consumption",
    "lifespan_from_dates",
    "list_factor_sets",
    "load_factor_set",
    "load_factor_set_dir",
]
