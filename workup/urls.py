"""Routes of the workup app."""

from django.urls import include, path

from workup import views

urlpatterns = [
    path("", views.workup, name="workup"),
    path("preferences", views.preferences, name="preferences"),
    path("sign-in-to-save", views.sign_in_to_save, name="sign-in-to-save"),
    path("api/v1/evaluate", views.api_evaluate, name="api-evaluate"),
    path("api/v1/pathway", views.api_pathway, name="api-pathway"),
    path("api/v1/openapi.json", views.api_openapi, name="api-openapi"),
    path("api/v1/drafts/<path:token>", views.api_draft, name="api-draft"),
    path("cds-services", views.cds_discovery, name="cds-discovery"),
    path("cds-services/marrow-workup", views.cds_service, name="cds-service"),
    path("cds-services/marrow-workup/feedback", views.cds_feedback, name="cds-feedback"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("workup.urls_learn")),
]
