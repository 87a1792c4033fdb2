import json

import pytest

from jobs.models import Job, QueueMessage, Status
from jobs.queue import DatabaseQueue

pytestmark = pytest.mark.django_db

VALID_JOB = {
    "source": "https://github.com/example/app.git",
    "commit": "3f2a9c1",
    "source_version": "18.0",
    "target_version": "21.0",
}


def post_job(client, body):
    return client.post(
        "/api/jobs/", data=json.dumps(body), content_type="application/json"
    )


def test_create_job_returns_201_with_location(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_job(client, VALID_JOB)

    assert response.status_code == 201
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/jobs/{job_id}/")
    assert response.json()["status"] == "INITIALIZING"


def test_create_job_defaults_library_to_guava(client):
    response = post_job(client, VALID_JOB)

    assert response.json()["library"] == "com.google.guava:guava"


def test_create_job_queues_initialize_message(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_job(client, VALID_JOB)

    bodies = list(QueueMessage.objects.values_list("body", flat=True))
    assert bodies == [{"type": "initialize", "job_id": response.json()["id"]}]


def test_create_job_names_each_missing_field(client):
    response = post_job(client, {"source": VALID_JOB["source"]})

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"commit", "source_version", "target_version"}
    assert Job.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("source_version", "not a version", "not a version"),
        ("target_version", "", "blank"),
        ("source", "ftp://example.com/repo.git", "ftp"),
        ("source", "https://user:secret@example.com/repo.git", "password"),
        ("source", "https:///repo.git", "no host"),
        ("commit", "--upload-pack=evil", "not a valid commit"),
        ("commit", "main..other", "not a valid commit"),
        ("library", "guava", "group:artifact"),
        ("target_version", "18.0", "same release"),
        ("target_version", "18.0.0", "same release"),
        ("target_version", "17.0", "older than the source version"),
    ],
)
def test_create_job_rejects_bad_field(client, field, value, expected):
    response = post_job(client, {**VALID_JOB, field: value})

    assert response.status_code == 400
    messages = " ".join(response.json()["fields"][field])
    assert expected in messages


def test_create_job_rejects_missing_local_folder(client, tmp_path):
    response = post_job(client, {**VALID_JOB, "source": str(tmp_path / "missing")})

    assert response.status_code == 400
    assert "existing folder" in response.json()["fields"]["source"][0]


def test_create_job_rejects_local_path_when_disallowed(client, settings, tmp_path):
    settings.JOBS_ALLOW_LOCAL_SOURCES = False

    response = post_job(client, {**VALID_JOB, "source": str(tmp_path)})

    assert response.status_code == 400
    assert "not a git URL" in response.json()["fields"]["source"][0]


def test_create_job_rejects_invalid_json(client):
    response = client.post("/api/jobs/", data="{oops", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_job_detail_shows_progress_and_counts(client, finished_job):
    response = client.get(f"/api/jobs/{finished_job.pk}/")

    body = response.json()
    assert body["status"] == "FINISHED"
    assert body["progress"] == {"components_total": 1, "components_done": 1}
    assert body["results_count"] == 2
    assert body["results_url"].endswith(f"/api/jobs/{finished_job.pk}/results/")


def test_job_detail_unknown_job_is_404_json(client):
    response = client.get("/api/jobs/999999/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_job_list_is_paginated(client, finished_job):
    for _ in range(3):
        post_job(client, VALID_JOB)

    response = client.get("/api/jobs/?page_size=2")

    body = response.json()
    assert body["count"] == 4
    assert len(body["results"]) == 2
    assert body["next"]


def test_job_results_have_three_methods(client, finished_job):
    response = client.get(f"/api/jobs/{finished_job.pk}/results/")

    body = response.json()
    assert body["count"] == 2
    result = body["results"][0]
    assert result["original"]["path"] == "src/App0.java"
    assert result["clone"]["project"] == "https://example.com/lib.git"
    assert result["clone"]["version"] == "v1.0"
    assert result["upgraded"]["version"] == "v2.0"
    assert "MoreObjects" in result["upgraded"]["code"]
    assert result["upgraded"]["start_line"] == 21


def test_schema_lists_job_endpoints(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/jobs/{id}/results/" in response.content


def test_job_page_shows_diff(client, finished_job):
    response = client.get(f"/jobs/{finished_job.pk}/")

    assert response.status_code == 200
    assert b"+  return MoreObjects.toStringHelper" in response.content


def test_job_list_page_links_jobs(client, finished_job):
    response = client.get("/")

    assert f'href="/jobs/{finished_job.pk}/"'.encode() in response.content


def test_status_values_match_original_system():
    assert [value for value, _ in Status.choices] == [
        "INITIALIZING",
        "QUEUEING",
        "RUNNING",
        "FINISHED",
        "ERROR",
    ]


def test_create_job_rejects_folder_that_is_not_git(client, tmp_path):
    response = post_job(client, {**VALID_JOB, "source": str(tmp_path)})

    assert response.status_code == 400
    assert "not a git repository" in response.json()["fields"]["source"][0]


def test_create_job_accepts_unicode_branch(client):
    response = post_job(client, {**VALID_JOB, "commit": "ветка/v1"})

    assert response.status_code == 201


def test_create_job_without_trailing_slash(client):
    response = client.post(
        "/api/jobs", data=json.dumps(VALID_JOB), content_type="application/json"
    )

    assert response.status_code == 201


def test_create_job_too_large_body_is_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post_job(client, {**VALID_JOB, "padding": "x" * 2000})

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.parametrize("path", ["results", "events"])
def test_job_actions_with_non_numeric_id_are_404(client, path):
    response = client.get(f"/api/jobs/abc/{path}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_invalid_page_names_value(client, finished_job):
    response = client.get(f"/api/jobs/{finished_job.pk}/results/?page=abc")

    assert response.status_code == 404
    assert "'abc'" in response.json()["message"]


def test_job_page_of_failed_job_says_none_found(client):
    job = Job.objects.create(
        source="https://example.com/app.git",
        commit="abc",
        library="com.google.guava:guava",
        source_version="18.0",
        target_version="21.0",
        status=Status.ERROR,
        error="Clone failed.",
    )

    response = client.get(f"/jobs/{job.pk}/")

    assert b"No migration examples were found" in response.content
    assert b"Clone failed." in response.content


def test_admin_add_job_queues_it(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/jobs/job/add/",
            {
                "source": VALID_JOB["source"],
                "commit": "v1.0",
                "library": "",
                "source_version": "18.0",
                "target_version": "21.0",
            },
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert job.library == "com.google.guava:guava"
    assert QueueMessage.objects.get().body == {"type": "initialize", "job_id": job.pk}


def test_admin_add_job_rejects_bad_version(admin_client):
    response = admin_client.post(
        "/admin/jobs/job/add/",
        {
            "source": VALID_JOB["source"],
            "commit": "v1.0",
            "source_version": "18.0",
            "target_version": "x y",
        },
    )

    assert response.status_code == 200
    assert Job.objects.count() == 0


class UnavailableQueue(DatabaseQueue):
    """A queue whose sends fail, as an unreachable SQS endpoint does."""

    def send(self, bodies):
        raise ConnectionError("queue endpoint unreachable")


def test_create_job_queue_down_is_503(client, settings):
    settings.QUEUE_BACKEND = "jobs.tests.test_api.UnavailableQueue"

    response = post_job(client, VALID_JOB)

    assert response.status_code == 503
    assert response.json()["code"] == "queue_unavailable"
    assert Job.objects.count() == 0


def test_legacy_create_with_queue_down_is_503(client, settings):
    settings.QUEUE_BACKEND = "jobs.tests.test_api.UnavailableQueue"
    body = {
        "source": VALID_JOB["source"],
        "commit": "abc",
        "source_guava_version": "18.0",
        "target_guava_version": "21.0",
    }

    response = client.post(
        "/job/", data=json.dumps(body), content_type="application/json"
    )

    assert response.status_code == 503
    assert Job.objects.count() == 0


def test_admin_add_job_with_queue_down_keeps_job(admin_client, settings):
    settings.QUEUE_BACKEND = "jobs.tests.test_api.UnavailableQueue"

    response = admin_client.post(
        "/admin/jobs/job/add/",
        {
            "source": VALID_JOB["source"],
            "commit": "v1.0",
            "source_version": "18.0",
            "target_version": "21.0",
        },
        follow=True,
    )

    job = Job.objects.get()
    assert job.status == "INITIALIZING"
    assert "saved but not queued" in response.content.decode()
