"""Territory pages for members, namespace `territory`."""

from django.urls import path

from . import views

app_name = "territory"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("targeting/", views.targeting_page, name="targeting"),
    path("targeting/import/", views.fragility_import, name="fragility-import"),
    path("publication/", views.publication_page, name="publication"),
]
