"""The durable IT fleet: assets, lifecycle, repairs, purchases, indicators and legal quotas."""
