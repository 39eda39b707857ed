"""Eco-design pages, namespace `ecodesign`."""

from django.urls import path

from . import views

app_name = "ecodesign"
urlpatterns = [
    path("", views.assessment_list, name="assessments"),
    path("assessments/new/", views.assessment_create, name="assessment-create"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<int:pk>/delete/", views.assessment_delete, name="assessment-delete"),
    path("assessments/<int:pk>/answer/", views.answer, name="answer"),
    path("assessments/<int:pk>/statement/", views.statement, name="statement"),
    path(
        "assessments/<int:pk>/statement.<str:fmt>",
        views.statement_export,
        name="statement-export",
    ),
    path("referentials/", views.referential_list, name="referentials"),
    path("referentials/import/", views.referential_import, name="referential-import"),
    path("referentials/<int:pk>/", views.referential_detail, name="referential"),
    path("referentials/<int:pk>/delete/", views.referential_delete, name="referential-delete"),
]
