"""Job progress as Server-Sent Events.

A stream sends a `progress` event whenever the job's status, progress or
results change. Each event carries `job_id`, `job_status`, `progress` and
the results that are new since the last event, in the original API's result
shape. The event id is the id of the last result sent, so a client that
reconnects with `Last-Event-ID` gets only what it missed. The stream ends
with an `end` event once the job is FINISHED or ERROR.
"""

import json
import logging
import time
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from jobs.legacy import result_to_legacy
from jobs.models import Result, Status
from jobs.selectors import jobs_with_progress

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 15.0
# NOTE: each open stream keeps a server thread busy. A deployment with many
# watching clients needs an async server or a larger thread pool.
MAX_STREAM_SECONDS = 3600.0
RESULTS_PER_EVENT = 100


def stream_response(request, *, job_id: int) -> StreamingHttpResponse:
    after = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    try:
        last_result_id = max(0, int(after))
    except ValueError:
        last_result_id = 0
    response = StreamingHttpResponse(
        job_events(job_id, last_result_id=last_result_id),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def job_events(
    job_id: int,
    *,
    last_result_id: int = 0,
    poll_seconds: float = POLL_SECONDS,
    max_seconds: float = MAX_STREAM_SECONDS,
) -> Iterator[str]:
    """Yield the SSE text of a job's progress until the job ends."""
    started = last_sent = time.monotonic()
    previous_state = None
    while True:
        job = jobs_with_progress().filter(pk=job_id).first()
        if job is None:
            yield _event("end", {"job_id": job_id, "job_status": None})
            return

        new_results = list(
            Result.objects.filter(job_id=job_id, pk__gt=last_result_id)
            .select_related(
                "component__project",
                "component__clone_version",
                "component__upgraded_version",
            )
            .order_by("id")[:RESULTS_PER_EVENT]
        )
        state = (job.status, job.components_done, job.components_total)
        if new_results or state != previous_state:
            if new_results:
                last_result_id = new_results[-1].pk
            yield _event(
                "progress", _payload(job, new_results), event_id=last_result_id
            )
            previous_state = state
            last_sent = time.monotonic()
            if len(new_results) == RESULTS_PER_EVENT:
                continue

        finished = job.status in (Status.FINISHED, Status.ERROR)
        if finished or time.monotonic() - started > max_seconds:
            yield _event("end", {"job_id": job.pk, "job_status": job.status})
            return
        if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            last_sent = time.monotonic()
        time.sleep(poll_seconds)


def _payload(job, results) -> dict:
    return {
        "job_id": job.pk,
        "job_status": job.status,
        "error": job.error,
        "progress": {
            "components_total": job.components_total,
            "components_done": job.components_done,
        },
        "results": [result_to_legacy(result) for result in results],
    }


def _event(name: str, data: dict, *, event_id: int | None = None) -> str:
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append(f"event: {name}")
    lines.append(f"data: {json.dumps(data)}")
    return "\n".join(lines) + "\n\n"
