"""Learning-mode views: thin, function-based; each parses the request, calls one service, renders."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workup.http import JsonDuplicateKey, JsonNumberRefused, json_loads
from workup.learning import about as about_data
from workup.learning import diagnostics, golden, library, vignettes
from workup.learning import services as learn_services
from workup.learning.forms import PredictionForm
from workup.learning.pathway_map import MAP_LEGEND
from workup.learning.services import CaseMap, case_map_build
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.evidence import CITATIONS, EVIDENCE_NOTES
from workup.pathway.parsing import CaseInvalid
from workup.pathway.rules import RULES


def map_context(case_map: CaseMap) -> dict:
    """What learn/map.html#map-panel shows for a case map (also the workup screen's live map)."""
    # The SVG is built by pathway_map_svg, which escapes every text it writes.
    return {
        "map_svg": mark_safe(case_map.svg),  # noqa: S308
        "outline": case_map.outline,
        "assessment": case_map.assessment,
        "map_legend": MAP_LEGEND,
    }


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@require_GET
def learn_index(request: HttpRequest) -> HttpResponse:
    """GET /learn/: the entry to learning mode."""
    return render(request, "learn/index.html")


@require_http_methods(["GET", "POST"])
def learn_map(request: HttpRequest) -> HttpResponse:
    """The pathway map; ?case=<golden case> or a POSTed API JSON case (body or `inputs_json`) lights its path."""
    name = request.GET.get("case", "")
    context: dict = {"example_cases": golden.cases_by_disposition(), "case_name": name}
    status = 200
    if request.method == "POST":
        data, errors = _json_body(request)
    elif name:
        case = golden.golden_case(name)
        if case is None:
            raise Http404("No golden case has that name.")
        data, errors = case["input"], {}
        context["case_description"] = case["description"]
    else:
        data, errors = None, {}
    if not errors:
        try:
            context |= map_context(case_map_build(data=data))
        except CaseInvalid as invalid:
            errors = invalid.errors
    if errors:
        context |= map_context(case_map_build()) | {"errors": errors}
        status = 400
    template = "learn/map.html#map-panel" if request.htmx else "learn/map.html"
    return render(request, template, context, status=status)


def _json_body(request: HttpRequest) -> tuple[object, dict]:
    """The POSTed case: a JSON body, or the `inputs_json` field the workup screen's live map includes."""
    text = request.POST.get("inputs_json", "") if request.content_type in FORM_TYPES else request.body
    try:
        return json_loads(text), {}
    except (JsonNumberRefused, JsonDuplicateKey) as refused:
        return None, {refused.field: [refused.message]}
    except ValueError:
        return None, {"body": ["The body is not valid JSON."]}


@require_GET
def learn_rules(request: HttpRequest) -> HttpResponse:
    """GET /learn/rules: every rule of the table, grouped by kind."""
    return render(request, "learn/rules.html", {"groups": library.rule_index()})


@require_GET
def learn_rule(request: HttpRequest, rule_id: str) -> HttpResponse:
    """GET /learn/rules/<id>: what the rule says, what the source claimed, and the evidence."""
    entry = library.rule_entry(rule_id)
    if entry is None:
        raise Http404("No rule has that id.")
    return render(request, "learn/rule.html", {"entry": entry})


@require_GET
def learn_tests(request: HttpRequest) -> HttpResponse:
    """GET /learn/tests: the counts behind the MRI signal signs, and why no post-test probability."""
    context = {
        "reports": diagnostics.characteristics_report(),
        "yield_note": EVIDENCE_NOTES["EN-YIELD"],
        "brain_note": EVIDENCE_NOTES["EN-BRAIN-REF"],
        "lumbar_note": EVIDENCE_NOTES["EN-LUMBAR-REF"],
    }
    return render(request, "learn/tests.html", context)


SCORE_COOKIE = "learn_score"
SCORE_SALT = "learn-score"


def _score(request: HttpRequest) -> dict[str, list[bool]]:
    raw = request.get_signed_cookie(SCORE_COOKIE, default="{}", salt=SCORE_SALT)
    try:
        return vignettes.score_clean(json.loads(raw))
    except ValueError:
        return {}


def _with_score(request: HttpRequest, response: HttpResponse, score: dict[str, list[bool]]) -> HttpResponse:
    response.set_signed_cookie(
        SCORE_COOKIE,
        json.dumps(score),
        salt=SCORE_SALT,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),  # no max_age: the score lasts for the browser session
    )
    return response


@require_GET
def learn_cases(request: HttpRequest) -> HttpResponse:
    """GET /learn/cases: the worked cases and the running score for this browser."""
    score = _score(request)
    context = {"vignettes": vignettes.vignettes(), "score": score, "summary": vignettes.score_summary(score)}
    return render(request, "learn/cases.html", context)


@require_http_methods(["GET", "POST"])
def learn_case(request: HttpRequest, vignette_id: str) -> HttpResponse:
    """A worked case: GET shows the case and the prediction form; a valid POST reveals the answer.

    The answer is rendered only after a valid prediction, so it cannot be read before committing.
    """
    vignette = vignettes.vignette(vignette_id)
    if vignette is None:
        raise Http404("No worked case has that id.")
    form = PredictionForm(request.POST if request.method == "POST" else None)
    context = {"vignette": vignette, "form": form, "summary": vignettes.score_summary(_score(request))}
    if not form.is_valid():
        return render(request, "learn/case.html", context)
    attempt = learn_services.vignette_attempt(
        vignette=vignette,
        disposition=form.cleaned_data["disposition"],
        rules=frozenset(form.cleaned_data["key_rules"]),
        score=_score(request),
    )
    context |= map_context(attempt.case_map) | {
        "attempt": attempt,
        "summary": vignettes.score_summary(attempt.score),
        "next": vignettes.next_vignette(vignette.id),
        "predicted_rules": form.cleaned_data["key_rules"],
    }
    return _with_score(request, render(request, "learn/case_reveal.html", context), attempt.score)


@require_POST
def learn_cases_reset(request: HttpRequest) -> HttpResponse:
    """POST /learn/cases/reset: start the score again."""
    response = redirect("learn-cases")
    response.delete_cookie(SCORE_COOKIE, samesite="Lax")
    return response


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """GET /about: intended use, inputs, logic, sources, validation status and disagreements."""
    context = {
        "inputs": about_data.input_lines(),
        "disagreements": about_data.DISAGREEMENTS,
        "citations": [library.citation_links(c) for c in CITATIONS.values()],
        "pathway": PATHWAY_INFO,
        "rule_count": len(RULES),
        "golden_count": len(golden.golden_cases()),
        "vignette_count": len(vignettes.vignettes()),
    }
    return render(request, "learn/about.html", context)
