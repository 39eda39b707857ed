"""Organisations, memberships and roles, audit events, API tokens, permissions."""
