"""Digital projects and the impact calculator."""
