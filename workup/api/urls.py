"""Routes of the JSON API."""

from django.urls import path

from workup.api import views

urlpatterns = [
    path("api/v1/evaluate", views.api_evaluate, name="api-evaluate"),
    path("api/v1/pathway", views.api_pathway, name="api-pathway"),
    path("api/v1/openapi.json", views.api_openapi, name="api-openapi"),
    path("api/v1/drafts", views.api_draft, name="api-draft"),
]
