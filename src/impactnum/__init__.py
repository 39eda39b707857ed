"""impactnum: social, environmental and economic impacts of a local authority's digital activity."""

__version__ = "0.1.0"
