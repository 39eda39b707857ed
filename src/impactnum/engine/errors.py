"""Errors the engine raises: each message says what was wrong and what is accepted."""


class EngineInputError(ValueError):
    """An input the engine cannot compute: unknown kind, country, flow, criterion…"""


class FactorSetError(ValueError):
    """A factor set that cannot be found or whose data is inconsistent."""
