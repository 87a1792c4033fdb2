"""HTML pages: the list of jobs and one job's migration examples."""

import difflib

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from jobs.models import Result
from jobs.selectors import jobs_with_progress

RESULTS_PER_PAGE = 20


def job_list_page(request):
    paginator = Paginator(jobs_with_progress().order_by("-id"), 50)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "jobs/job_list.html", {"page": page})


def job_page(request, job_id: int):
    job = get_object_or_404(jobs_with_progress(), pk=job_id)
    results = (
        Result.objects.filter(job=job)
        .select_related(
            "component__project",
            "component__clone_version",
            "component__upgraded_version",
        )
        .order_by("original_path", "original_start_line", "id")
    )
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    examples = [(result, _diff(result)) for result in page]
    return render(
        request,
        "jobs/job_detail.html",
        {"job": job, "page": page, "examples": examples},
    )


def _diff(result: Result) -> list[tuple[str, str]]:
    """Return the unified diff from clone to upgraded code as (kind, line)."""
    lines = difflib.unified_diff(
        result.clone_code.splitlines(),
        result.upgraded_code.splitlines(),
        fromfile=f"{result.component.clone_version.tag}/{result.clone_path}",
        tofile=f"{result.component.upgraded_version.tag}/{result.upgraded_path}",
        lineterm="",
    )
    kinds = {"+": "added", "-": "removed", "@": "hunk"}
    return [(kinds.get(line[:1], "context"), line) for line in lines]
