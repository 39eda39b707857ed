"""Reports of a project's results, included under /projects/ (before the project pages)."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("<int:pk>/report.pdf", views.report_pdf, name="pdf"),
    path("<int:pk>/report.xlsx", views.report_xlsx, name="xlsx"),
    path("<int:pk>/report.csv", views.report_csv, name="csv"),
    path("<int:pk>/report.json", views.report_json, name="json"),
    path("<int:pk>/print/", views.report_print, name="print"),
]
