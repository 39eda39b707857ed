from django.urls import path

from . import views, views_documents, views_lots, views_people, views_report

app_name = "reuse"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("devices/", views.device_list, name="devices"),
    path("devices/<int:pk>/", views.device_detail, name="device"),
    path("devices/<int:pk>/steps/<slug:step>/", views.device_step, name="step"),
    path(
        "devices/<int:pk>/media/<int:medium_id>/sanitise/",
        views.medium_sanitise,
        name="sanitise",
    ),
    path(
        "devices/<int:pk>/media/<int:medium_id>/remove/", views.medium_remove, name="remove-medium"
    ),
    path(
        "devices/<int:pk>/wipe-certificate.pdf",
        views_documents.wipe_certificate,
        name="wipe-certificate",
    ),
    path(
        "provisions/<int:pk>/agreement.pdf", views_documents.provision_agreement, name="agreement"
    ),
    path("lots/", views_lots.lot_list, name="lots"),
    path("lots/<int:pk>/", views_lots.lot_detail, name="lot"),
    path("lots/<int:pk>/register/", views_lots.lot_register, name="lot-register"),
    path("lots/<int:pk>/triage/", views_lots.lot_triage, name="lot-triage"),
    path("lots/<int:pk>/receipt.pdf", views_documents.donation_receipt, name="receipt"),
    path("parties/", views_lots.party_list, name="parties"),
    path("parts/", views_lots.part_list, name="parts"),
    path("shipments/", views_lots.shipment_list, name="shipments"),
    path("shipments/<int:pk>/", views_lots.shipment_detail, name="shipment"),
    path("shipments/<int:pk>/add/", views_lots.shipment_add, name="shipment-add"),
    path("shipments/<int:pk>/ship/", views_lots.shipment_ship, name="shipment-ship"),
    path("checklists/", views_lots.template_list, name="templates"),
    path("checklists/defaults/", views_lots.template_defaults, name="template-defaults"),
    path("labels/", views_documents.label_sheet, name="labels"),
    path("labels.pdf", views_documents.label_pdf, name="labels-pdf"),
    # facilitator's pages (views_people)
    path("people/beneficiaries/", views_people.beneficiary_list, name="beneficiaries"),
    path("people/beneficiaries/<int:pk>/", views_people.beneficiary_detail, name="beneficiary"),
    path(
        "people/beneficiaries/<int:pk>/access/",
        views_people.beneficiary_access,
        name="beneficiary-access",
    ),
    path(
        "people/beneficiaries/<int:pk>/erase/",
        views_people.beneficiary_erase,
        name="beneficiary-erase",
    ),
    path("people/sessions/", views_people.session_list, name="sessions"),
    path("people/sessions.csv", views_people.sessions_csv, name="sessions-csv"),
    path("people/privacy-log/", views_people.privacy_log, name="privacy-log"),
    # period report, lot balance, ORDS export (views_report)
    path("report/", views_report.report_page, name="report"),
    path("report.csv", views_report.report_csv, name="report-csv"),
    path("report.xlsx", views_report.report_xlsx, name="report-xlsx"),
    path("lots/<int:pk>/balance/", views_report.lot_balance, name="lot-balance"),
    path("ords.csv", views_report.ords_export, name="ords-csv"),
]
