"""A whole job on real git repositories: prepare a corpus, create a job
through the API, run the worker, and read the triplets."""

import json

import pytest
from django.core.management import call_command

from jobs import services
from jobs.models import Job, JobComponent, Result, Status
from jobs.queue import DatabaseQueue
from jobs.tests.conftest import pom
from jobs.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

LIBRARY_V1 = """package org.lib;

import com.google.common.base.Objects;
import java.util.ArrayList;
import java.util.List;

public class Account {
    private final String owner;
    private final long balance;
    private final List<String> history = new ArrayList<>();

    public Account(String owner, long balance) {
        this.owner = owner;
        this.balance = balance;
    }

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
            .add("owner", owner)
            .add("balance", balance)
            .add("history", history.size())
            .toString();
    }

    public long total(List<Long> amounts) {
        long sum = 0;
        for (Long amount : amounts) {
            if (amount != null && amount > 0) {
                sum += amount;
            }
        }
        return sum + balance;
    }
}
"""

LIBRARY_V2 = (
    LIBRARY_V1.replace(
        "import com.google.common.base.Objects;",
        "import com.google.common.base.MoreObjects;",
    )
    .replace("Objects.toStringHelper", "MoreObjects.toStringHelper")
    .replace("sum += amount;", "sum += amount.longValue();")
)

USER_CODE = """package org.app;

import com.google.common.base.Objects;
import java.util.ArrayList;
import java.util.List;

public class Customer {
    private final String name;
    private final long credit;
    private final List<String> orders = new ArrayList<>();

    public Customer(String name, long credit) {
        this.name = name;
        this.credit = credit;
    }

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
            .add("name", name)
            .add("credit", credit)
            .add("orders", orders.size())
            .toString();
    }

    public long total(List<Long> values) {
        long result = 0;
        for (Long value : values) {
            if (value != null && value > 0) {
                result += value;
            }
        }
        return result + credit;
    }
}
"""


@pytest.fixture
def corpus(make_repository, storage_in_tmp, tmp_path):
    library = make_repository("library")
    library.commit(
        {"pom.xml": pom("18.0"), "src/main/java/org/lib/Account.java": LIBRARY_V1},
        tag="v1.0",
    )
    library.commit(
        {"pom.xml": pom("21.0"), "src/main/java/org/lib/Account.java": LIBRARY_V2},
        tag="v2.0",
    )
    projects_file = tmp_path / "projects.jsonl"
    projects_file.write_text(json.dumps({"source": str(library.path)}) + "\n")
    call_command("preparedata", "--projects", str(projects_file))
    return library


@pytest.fixture
def user_repository(make_repository):
    user = make_repository("user")
    sha = user.commit(
        {"pom.xml": pom("18.0"), "src/main/java/org/app/Customer.java": USER_CODE}
    )
    return user, sha


def run_worker() -> int:
    return Worker(queue=DatabaseQueue(), wait_seconds=0).run(once=True)


def create_job(client, source, commit, **overrides):
    body = {
        "source": source,
        "commit": commit,
        "source_version": "18.0",
        "target_version": "21.0",
        **overrides,
    }
    response = client.post(
        "/api/jobs/", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_job_finds_guava_migration(client, corpus, user_repository):
    user, sha = user_repository

    job_id = create_job(client, str(user.path), sha)
    run_worker()

    job = Job.objects.get(pk=job_id)
    assert job.status == Status.FINISHED, job.error
    results = list(Result.objects.filter(job=job))
    assert len(results) == 1
    [result] = results
    assert result.original_method == "toString"
    assert "Objects.toStringHelper" in result.clone_code
    assert "MoreObjects.toStringHelper" in result.upgraded_code
    assert result.original_path == "src/main/java/org/app/Customer.java"
    assert result.original_code.startswith("    @Override")


def test_job_skips_change_without_library_use(client, corpus, user_repository):
    user, sha = user_repository

    job_id = create_job(client, str(user.path), sha)
    run_worker()

    methods = set(
        Result.objects.filter(job_id=job_id).values_list("clone_method", flat=True)
    )
    assert "total" not in methods


def test_results_api_after_worker(client, corpus, user_repository):
    user, sha = user_repository
    job_id = create_job(client, str(user.path), sha)
    run_worker()

    job = client.get(f"/api/jobs/{job_id}/").json()
    results = client.get(f"/api/jobs/{job_id}/results/").json()

    assert job["progress"] == {"components_total": 1, "components_done": 1}
    assert results["count"] == 1
    assert results["results"][0]["clone"]["version"] == "v1.0"
    assert results["results"][0]["upgraded"]["version"] == "v2.0"


def test_redelivered_component_adds_no_results(client, corpus, user_repository):
    user, sha = user_repository
    job_id = create_job(client, str(user.path), sha)
    run_worker()
    component = JobComponent.objects.get(job_id=job_id)

    DatabaseQueue().send([{"type": "component", "component_id": component.pk}])
    DatabaseQueue().send([{"type": "initialize", "job_id": job_id}])
    run_worker()

    assert Result.objects.filter(job_id=job_id).count() == 1
    assert Job.objects.get(pk=job_id).status == Status.FINISHED
    assert JobComponent.objects.get(pk=component.pk).attempts == 1


def test_job_without_matching_corpus_finishes_empty(client, corpus, user_repository):
    user, sha = user_repository

    job_id = create_job(
        client, str(user.path), sha, source_version="11.0", target_version="12.0"
    )
    run_worker()

    job = Job.objects.get(pk=job_id)
    assert job.status == Status.FINISHED
    assert job.components.count() == 0
    assert "No corpus project has a release declaring" in job.notice


def test_missing_commit_marks_job_error(client, corpus, user_repository):
    user, _ = user_repository

    job_id = create_job(client, str(user.path), "0123456789abcdef")
    run_worker()

    job = Job.objects.get(pk=job_id)
    assert job.status == Status.ERROR
    assert "0123456789abcdef" in job.error


def test_non_repository_job_fails_alone(client, corpus, user_repository, tmp_path):
    user, sha = user_repository
    plain_folder = tmp_path / "plain"
    plain_folder.mkdir()

    # The API rejects such a folder, but it can stop being a repository
    # between the request and the worker.
    bad_id = services.create_job(
        source=str(plain_folder),
        commit="main",
        library="com.google.guava:guava",
        source_version="18.0",
        target_version="21.0",
    ).pk
    good_id = create_job(client, str(user.path), sha)
    run_worker()

    assert Job.objects.get(pk=bad_id).status == Status.ERROR
    assert Job.objects.get(pk=bad_id).error
    assert Job.objects.get(pk=good_id).status == Status.FINISHED


def test_missing_metric_file_marks_component_error(
    client, corpus, user_repository, storage_in_tmp
):
    user, sha = user_repository
    for metric_file in storage_in_tmp.glob("versions/**/blocks.metrics"):
        metric_file.unlink()

    job_id = create_job(client, str(user.path), sha)
    run_worker()

    component = JobComponent.objects.get(job_id=job_id)
    assert component.status == Status.ERROR
    assert "blocks.metrics" in component.error
    job = Job.objects.get(pk=job_id)
    assert job.status == Status.FINISHED
    assert job.notice.startswith("1 of 1 project comparisons failed")
