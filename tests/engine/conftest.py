from pathlib import Path

import pytest

from impactnum.engine import FactorSet, load_factor_set_dir

TINY = Path(__file__).parent / "tiny_set" / "1.0.0"


@pytest.fixture
def tiny() -> FactorSet:
    """A tiny hand-checkable set: laptop 100/10/2 kgCO2e, 4 years, 20 kWh/yr; FRA 0.1/kWh."""
    return load_factor_set_dir(TINY)
