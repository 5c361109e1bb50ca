"""Routes for saved workups and the hematology referral review, mounted at /cases/."""

from django.urls import path

from workup.saved import views

app_name = "cases"

urlpatterns = [
    path("", views.case_mine, name="mine"),
    path("new", views.case_new, name="new"),
    path("save", views.case_save, name="save"),
    path("queue", views.case_queue, name="queue"),
    path("start", views.case_landing, name="landing"),
    path("<str:reference>", views.case_detail, name="detail"),
    path("<str:reference>/label", views.case_label, name="label"),
    path("<str:reference>/refer", views.case_refer, name="refer"),
    path("<str:reference>/start-review", views.case_start_review, name="start-review"),
    path("<str:reference>/review", views.case_review, name="review"),
    path("<str:reference>/reevaluate", views.case_reevaluate, name="reevaluate"),
    path("<str:reference>/print", views.case_print, name="print"),
    path("<str:reference>/export.pdf", views.case_export_pdf, name="export-pdf"),
    path("<str:reference>/export.json", views.case_export_json, name="export-json"),
]
