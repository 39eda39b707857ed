"""The JSON API (django-ninja): the twin of every page, built on the same services."""
