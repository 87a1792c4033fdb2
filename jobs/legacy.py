"""The original client API at /job/, kept for the existing front-end."""

import json

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from jobs import events, services
from jobs.errors import validation_error_body
from jobs.models import Job, Result
from jobs.serializers import JobCreateSerializer

# Field names of the original API and their names in the new one.
_FIELDS = {
    "source": "source",
    "commit": "commit",
    "source_guava_version": "source_version",
    "target_guava_version": "target_version",
}


@csrf_exempt
def job_collection(request):
    """List every job with its results, or create a job."""
    if request.method == "POST":
        return _create_job(request)
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET", "POST"])
    jobs = Job.objects.order_by("id").prefetch_related(
        "results__component__project",
        "results__component__clone_version",
        "results__component__upgraded_version",
    )
    return JsonResponse([job_to_legacy(job) for job in jobs], safe=False)


@csrf_exempt
def job_detail(request, job_id: str):
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    job = Job.objects.filter(pk=int(job_id)).first()
    if job is None:
        return _job_not_found(job_id)
    return JsonResponse(job_to_legacy(job))


@csrf_exempt
def job_events(request, job_id: str):
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed(request, ["GET"])
    if not Job.objects.filter(pk=int(job_id)).exists():
        return _job_not_found(job_id)
    return events.stream_response(request, job_id=int(job_id))


def not_found(request):
    return JsonResponse(
        {
            "code": "not_found",
            "message": f"No such path {request.path!r}. Use /job/ or /job/<id>.",
        },
        status=404,
    )


def _job_not_found(job_id: str) -> JsonResponse:
    return JsonResponse(
        {"code": "not_found", "message": f"Job {job_id} not found."}, status=404
    )


def _method_not_allowed(request, allowed: list[str]) -> JsonResponse:
    response = JsonResponse(
        {
            "code": "method_not_allowed",
            "message": f"Method {request.method} is not allowed on {request.path}. "
            f"Use {' or '.join(allowed)}.",
        },
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


def _create_job(request):
    try:
        body = request.body
    except RequestDataTooBig:
        return JsonResponse(
            {
                "code": "request_too_large",
                "message": "The request body is larger than "
                f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes. Send only the "
                "four job fields.",
            },
            status=413,
        )
    try:
        payload = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return JsonResponse(
            {
                "code": "invalid_json",
                "message": f"The request body is not valid JSON: {error}. "
                "Send a JSON object with source, commit, source_guava_version "
                "and target_guava_version.",
            },
            status=400,
        )
    if not isinstance(payload, dict):
        payload = {}

    missing = [name for name in _FIELDS if payload.get(name) in (None, "")]
    data = {new: payload.get(old) for old, new in _FIELDS.items()}
    serializer = JobCreateSerializer(data=data)
    valid = serializer.is_valid()
    if missing or not valid:
        errors = {name: ["This field is required."] for name in missing}
        for new_name, messages in serializer.errors.items():
            old_name = _old_name(new_name)
            errors.setdefault(old_name, messages)
        return JsonResponse(validation_error_body(errors), status=400)

    try:
        job = services.create_job(**serializer.validated_data)
    except services.QueueSendError as error:
        return JsonResponse(
            {"code": "queue_unavailable", "message": str(error)}, status=503
        )
    return HttpResponse(f"/job/{job.pk}", status=201, content_type="text/plain")


def _old_name(new_name: str) -> str:
    for old, new in _FIELDS.items():
        if new == new_name:
            return old
    return new_name


def job_to_legacy(job: Job) -> dict:
    """Build a job object in the original API's shape."""
    return {
        "job_id": job.pk,
        "job_source": job.source,
        "job_commit": job.commit,
        "job_status": job.status,
        "source_guava_version": job.source_version,
        "target_guava_version": job.target_version,
        "results": [result_to_legacy(result) for result in job.results.all()],
    }


def result_to_legacy(result: Result) -> dict:
    """Build a result object in the original API's shape."""
    component = result.component
    return {
        "result_id": result.pk,
        "original_file_path": result.original_path,
        "original_function_location": _location(result, "original"),
        "original_snippet": result.original_code,
        "clone_source": component.project.source,
        "clone_version": component.clone_version.tag,
        "clone_file_path": result.clone_path,
        "clone_function_location": _location(result, "clone"),
        "clone_snippet": result.clone_code,
        "upgraded_version": component.upgraded_version.tag,
        "upgraded_file_path": result.upgraded_path,
        "upgraded_function_location": _location(result, "upgraded"),
        "upgraded_snippet": result.upgraded_code,
    }


def _location(result: Result, role: str) -> str:
    start = getattr(result, f"{role}_start_line")
    end = getattr(result, f"{role}_end_line")
    return f"{start}-{end}"
