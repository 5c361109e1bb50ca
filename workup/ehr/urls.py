"""Routes of the EHR integration (CDS Hooks)."""

from django.urls import path, re_path

from workup.ehr import views, views_smart

urlpatterns = [
    path("launch", views_smart.smart_launch, name="smart-launch"),
    path("launch/callback", views_smart.smart_callback, name="smart-callback"),
    path("cds-services", views.cds_discovery, name="cds-discovery"),
    path("cds-services/override-reasons", views.cds_override_reasons, name="cds-override-reasons"),
    path("cds-services/<slug:service_id>", views.cds_service, name="cds-service"),
    path("cds-services/<slug:service_id>/feedback", views.cds_feedback, name="cds-feedback"),
    re_path(r"^cds-services/(?P<rest>.*)$", views.cds_not_found),
]
