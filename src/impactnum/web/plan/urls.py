"""Plan pages, namespace `plan`."""

from django.urls import path

from . import views, views_calendar, views_evaluations, views_strategy

app_name = "plan"
urlpatterns = [
    path("", views.commitment_list, name="commitments"),
    path("commitments/new/", views.commitment_create, name="commitment-create"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("commitments/<int:pk>/edit/", views.commitment_edit, name="commitment-edit"),
    path("commitments/<int:pk>/delete/", views.commitment_delete, name="commitment-delete"),
    path("commitments/<int:pk>/actions/", views.action_add, name="action-add"),
    path("commitments/<int:pk>/indicators/new/", views.indicator_create, name="indicator-create"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action-edit"),
    path("actions/<int:pk>/delete/", views.action_delete, name="action-delete"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator-edit"),
    path("indicators/<int:pk>/delete/", views.indicator_delete, name="indicator-delete"),
    path("indicators/<int:pk>/values/", views.indicator_value_add, name="indicator-value-add"),
    path("values/<int:pk>/evidence/", views.evidence_file, name="evidence"),
    path("evaluations/", views_evaluations.evaluation_list, name="evaluations"),
    path("evaluations/new/", views_evaluations.evaluation_create, name="evaluation-create"),
    path("evaluations/compare/", views_evaluations.evaluation_compare, name="compare"),
    path("evaluations/<int:pk>/", views_evaluations.evaluation_detail, name="evaluation"),
    path(
        "evaluations/<int:pk>/notes/", views_evaluations.evaluation_notes, name="evaluation-notes"
    ),
    path(
        "evaluations/<int:pk>/freeze/",
        views_evaluations.evaluation_freeze,
        name="evaluation-freeze",
    ),
    path(
        "evaluations/<int:pk>/delete/",
        views_evaluations.evaluation_delete,
        name="evaluation-delete",
    ),
    path(
        "evaluations/<int:pk>/export.<str:fmt>",
        views_evaluations.evaluation_export,
        name="evaluation-export",
    ),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("settings/", views_calendar.settings_page, name="settings"),
    path("strategy/", views_strategy.strategy_page, name="strategy"),
    path("strategy/edit/", views_strategy.strategy_edit, name="strategy-edit"),
    path("annual-report/", views_strategy.annual_report_page, name="annual-report"),
    path(
        "annual-report/export.<str:fmt>",
        views_strategy.annual_report_export,
        name="annual-report-export",
    ),
]
