"""Routes of the workup screen."""

from django.urls import path

from workup import views

urlpatterns = [
    path("", views.workup, name="workup"),
    path("preferences", views.preferences, name="preferences"),
    path("sign-in-to-save", views.sign_in_to_save, name="sign-in-to-save"),
    path("healthz", views.healthz, name="healthz"),
]
