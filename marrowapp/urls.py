"""URL wiring only."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("workup.urls")),
    path("admin/", admin.site.urls),
]
