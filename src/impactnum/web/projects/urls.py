from django.urls import path

from . import views, views_results

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/scenarios/add/", views.scenario_add, name="scenario-add"),
    path("<int:pk>/scenarios/<int:scenario_id>/", views.scenario_edit, name="scenario-edit"),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/delete/",
        views.scenario_delete,
        name="scenario-delete",
    ),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/social/",
        views.scenario_social,
        name="scenario-social",
    ),
    path(
        "<int:pk>/scenarios/<int:scenario_id>/<str:line_type>/new/",
        views.line_new,
        name="line-new",
    ),
    path("<int:pk>/lines/<str:line_type>/<int:line_id>/", views.line_row, name="line-row"),
    path("<int:pk>/lines/<str:line_type>/<int:line_id>/edit/", views.line_edit, name="line-edit"),
    path(
        "<int:pk>/lines/<str:line_type>/<int:line_id>/delete/",
        views.line_delete,
        name="line-delete",
    ),
    path("<int:pk>/results/", views_results.project_results, name="results"),
    path("<int:pk>/snapshots/", views_results.snapshot_list, name="snapshots"),
    path(
        "<int:pk>/snapshots/<int:snapshot_id>/",
        views_results.snapshot_detail,
        name="snapshot",
    ),
    path("factor-sets/", views_results.factor_sets, name="factor-sets"),
    path("factor-sets/overrides/", views_results.override_add, name="override-add"),
    path(
        "factor-sets/overrides/<int:override_id>/delete/",
        views_results.override_delete,
        name="override-delete",
    ),
]
