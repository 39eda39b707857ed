"""impactnum's web application (Django): pages for people, a JSON API for scripts."""
