"""Routes of the workup app."""

from django.urls import include, path

from workup import views

urlpatterns = [
    path("api/v1/evaluate", views.api_evaluate, name="api-evaluate"),
    path("api/v1/pathway", views.api_pathway, name="api-pathway"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("workup.urls_learn")),
]
