"""Routes of the outcome registry (issue 24), included from marrowapp/urls.py."""

from django.urls import path

from workup.registry import views

app_name = "registry"

urlpatterns = [
    path("registry/", views.registry_page, name="page"),
    path("registry/export.csv", views.registry_export_csv, name="export-csv"),
    path("registry/measure-report.json", views.registry_export_fhir, name="export-fhir"),
    path("registry/follow-up", views.registry_followups, name="followups"),
    path("registry/cases/<str:reference>", views.registry_case, name="case"),
    path("registry/entries/<str:reference>", views.registry_outcome, name="outcome"),
    path("learn/registry", views.learn_registry, name="learn"),
]
