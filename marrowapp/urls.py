"""URL wiring only."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from workup.throttle import ThrottledAuthenticationForm, ThrottledPasswordChangeView

urlpatterns = [
    path("", include("workup.urls")),
    path("", include("workup.api.urls")),
    path("", include("workup.ehr.urls")),
    path("", include("workup.learning.urls")),
    path("cases/", include("workup.saved.urls")),
    path("", include("workup.registry.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=ThrottledAuthenticationForm),
        name="login",
    ),
    path("accounts/password_change/", ThrottledPasswordChangeView.as_view(), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "workup.views.not_found"
handler500 = "workup.views.server_error"
