"""Routes of the EHR integration (CDS Hooks)."""

from django.urls import path

from workup.ehr import views

urlpatterns = [
    path("cds-services", views.cds_discovery, name="cds-discovery"),
    path("cds-services/marrow-workup", views.cds_service, name="cds-service"),
    path("cds-services/marrow-workup/feedback", views.cds_feedback, name="cds-feedback"),
]
