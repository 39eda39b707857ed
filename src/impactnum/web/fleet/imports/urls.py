"""Import routes, to include in the fleet app's URLs (namespace `fleet`):
`fleet:import` and `fleet:import-template` (kind `csv` or `xlsx`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/template.<str:kind>", views.import_template, name="import-template"),
]
