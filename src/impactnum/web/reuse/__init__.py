"""The local reuse and recycling chain: lots, devices, triage, refurbishment, wiping,
provision, support sessions, WEEE shipments and materials."""
