"""Routes of learning mode, included from workup/urls.py."""

from django.urls import path

from workup.learning import views as views_learn

urlpatterns = [
    path("about", views_learn.about, name="about"),
    path("learn/", views_learn.learn_index, name="learn-index"),
    path("learn/map", views_learn.learn_map, name="learn-map"),
    path("learn/rules", views_learn.learn_rules, name="learn-rules"),
    path("learn/rules/<str:rule_id>", views_learn.learn_rule, name="learn-rule"),
    path("learn/tests", views_learn.learn_tests, name="learn-tests"),
    path("learn/cases", views_learn.learn_cases, name="learn-cases"),
    path("learn/cases/reset", views_learn.learn_cases_reset, name="learn-cases-reset"),
    path("learn/cases/<slug:vignette_id>", views_learn.learn_case, name="learn-case"),
]
