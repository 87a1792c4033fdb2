import json

import pytest

from jobs.events import job_events
from jobs.models import Job

pytestmark = pytest.mark.django_db

LEGACY_JOB = {
    "source": "https://github.com/example/app.git",
    "commit": "3f2a9c1",
    "source_guava_version": "18.0",
    "target_guava_version": "21.0",
}


def post_legacy(client, body):
    return client.post("/job/", data=json.dumps(body), content_type="application/json")


def test_legacy_post_returns_job_path(client):
    response = post_legacy(client, LEGACY_JOB)

    job = Job.objects.get()
    assert response.status_code == 201
    assert response.content.decode() == f"/job/{job.pk}"
    assert job.source_version == "18.0"
    assert job.library == "com.google.guava:guava"


@pytest.mark.parametrize("missing", sorted(LEGACY_JOB))
def test_legacy_post_missing_field_is_400(client, missing):
    body = {name: value for name, value in LEGACY_JOB.items() if name != missing}

    response = post_legacy(client, body)

    assert response.status_code == 400
    assert missing in response.json()["fields"]
    assert Job.objects.count() == 0


def test_legacy_post_invalid_version_names_old_field(client):
    response = post_legacy(client, {**LEGACY_JOB, "target_guava_version": "x y"})

    assert response.status_code == 400
    assert "target_guava_version" in response.json()["fields"]


def test_legacy_post_invalid_json_is_400(client):
    response = client.post("/job/", data="[", content_type="application/json")

    assert response.status_code == 400


def test_legacy_list_has_original_fields(client, finished_job):
    response = client.get("/job/")

    [job] = response.json()
    assert job["job_id"] == finished_job.pk
    assert job["job_status"] == "FINISHED"
    assert job["source_guava_version"] == "18.0"
    assert len(job["results"]) == 2
    result = job["results"][0]
    assert result["original_function_location"] == "10-14"
    assert result["clone_source"] == "https://example.com/lib.git"
    assert result["clone_version"] == "v1.0"
    assert result["upgraded_version"] == "v2.0"
    assert result["upgraded_function_location"] == "21-24"
    assert "MoreObjects" in result["upgraded_snippet"]


def test_legacy_detail_returns_one_job(client, finished_job):
    response = client.get(f"/job/{finished_job.pk}")

    assert response.json()["job_commit"] == "abc123"


def test_events_send_results_then_end(finished_job):
    events = list(job_events(finished_job.pk, poll_seconds=0))

    assert events[0].startswith("id: ")
    assert "event: progress" in events[0]
    payload = json.loads(events[0].split("data: ", 1)[1])
    assert payload["job_status"] == "FINISHED"
    assert len(payload["results"]) == 2
    assert "event: end" in events[-1]


def test_events_resume_after_last_event_id(finished_job):
    last_id = finished_job.results.order_by("id").first().pk

    events = list(job_events(finished_job.pk, last_result_id=last_id, poll_seconds=0))

    payload = json.loads(events[0].split("data: ", 1)[1])
    assert [result["result_id"] for result in payload["results"]] == [last_id + 1]


def test_events_endpoint_streams_event_stream(client, finished_job):
    response = client.get(f"/api/jobs/{finished_job.pk}/events/")

    assert response["Content-Type"] == "text/event-stream"
    content = b"".join(response.streaming_content).decode()
    assert "event: progress" in content
    assert "event: end" in content


def test_legacy_events_endpoint_streams(client, finished_job):
    response = client.get(f"/job/{finished_job.pk}/events")

    content = b"".join(response.streaming_content).decode()
    assert '"job_status": "FINISHED"' in content


@pytest.mark.parametrize("path", ["/job", "/job/"])
def test_legacy_post_with_or_without_slash(client, path):
    response = client.post(
        path, data=json.dumps(LEGACY_JOB), content_type="application/json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize("suffix", ["", "/"])
def test_legacy_detail_with_or_without_slash(client, finished_job, suffix):
    response = client.get(f"/job/{finished_job.pk}{suffix}")

    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/job/999999", "/job/abc"])
def test_legacy_unknown_job_is_json_404(client, path):
    response = client.get(path)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_legacy_detail_rejects_post_with_405(client, finished_job):
    response = client.post(f"/job/{finished_job.pk}")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_legacy_post_too_large_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_legacy(client, {**LEGACY_JOB, "padding": "x" * 2000})

    assert response.status_code == 413
