"""Fleet pages, namespace `fleet` (the import pages come from `fleet.imports.urls`)."""

from django.urls import path

from . import views, views_reports, views_settings
from .imports import urls as import_urls

app_name = "fleet"
urlpatterns = [
    path("", views.asset_list, name="list"),
    path("export.<str:fmt>", views.asset_export, name="export"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("new/", views.asset_create, name="create"),
    path("<int:pk>/", views.asset_detail, name="asset"),
    path("<int:pk>/edit/", views.asset_edit, name="edit"),
    path("<int:pk>/status/", views.asset_status, name="status"),
    path("<int:pk>/handover/", views.asset_handover, name="handover"),
    path("<int:pk>/repairs/", views.repair_open, name="repair-open"),
    path("<int:pk>/repairs/<int:repair_id>/close/", views.repair_close, name="repair-close"),
    path("settings/", views_settings.fleet_settings, name="settings"),
    path("settings/policies/", views_settings.policy_set, name="policy-set"),
    path("settings/departments/", views_settings.department_add, name="department-add"),
    path("settings/locations/", views_settings.location_add, name="location-add"),
    path("indicators/", views_reports.fleet_indicators, name="indicators"),
    path("footprint/", views_reports.fleet_footprint, name="footprint"),
    path("quotas/", views_reports.fleet_quotas, name="quotas"),
    path("declaration.csv", views_reports.fleet_declaration, name="declaration"),
    *import_urls.urlpatterns,
]
