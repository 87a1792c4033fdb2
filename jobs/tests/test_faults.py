# Fixtures imported from conftest_aws are used as test arguments, which pyflakes
# reads as redefinitions.
# ruff: noqa: F401, F811
"""Fault tests of the worker on S3 and SQS (a moto server) and the test
database: crashed workers, dropped connections, missing metric files and
competing workers."""

import signal
import subprocess
import sys
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from jobs.models import Job, JobComponent, Result, Status
from jobs.services import create_job
from jobs.sqs import SqsQueue
from jobs.tests.conftest_aws import (
    LIBRARY,
    MANAGE_PY,
    SOURCE_VERSION,
    TARGET_VERSION,
    aws_environment,
    build_client,
    build_corpus,
    database_environment,
    moto_endpoint,
    s3_client,
    s3_settings,
    sqs_client,
    sqs_settings,
    worker_environment,
)
from jobs.worker import Worker
from projects.models import ProjectVersion

# Visibility timeout of the test queue, in seconds: short, so a message of
# a killed worker comes back within the test.
VISIBILITY_TIMEOUT = 3
# Maximum seconds a test waits for workers to finish a job.
JOB_TIMEOUT = 120


@pytest.fixture
def aws_stack(s3_settings, sqs_settings, tmp_path):
    """Create the bucket and a queue with a short visibility timeout through
    setupaws, and let jobs use local repositories."""
    sqs_settings.SQS_VISIBILITY_TIMEOUT = VISIBILITY_TIMEOUT
    sqs_settings.REPOSITORIES_DIR = tmp_path / "clones"
    sqs_settings.VAR_DIR = tmp_path / "var"
    sqs_settings.JOBS_ALLOW_LOCAL_SOURCES = True
    call_command("setupaws", stdout=StringIO())
    return sqs_settings


def prepare_job(root: Path, *, projects: int) -> Job:
    """Prepare a corpus of `projects` projects and create a job against it.
    The job's initialize message is sent to the queue on commit."""
    projects_file = build_corpus(root / "corpus", projects=projects)
    output = StringIO()
    call_command(
        "preparedata", projects=str(projects_file), stdout=output, stderr=output
    )
    prepared = ProjectVersion.objects.filter(status=ProjectVersion.Status.PREPARED)
    assert prepared.count() == 2 * projects, output.getvalue()
    client_path, sha = build_client(root)
    return create_job(
        source=str(client_path),
        commit=sha,
        library=LIBRARY,
        source_version=SOURCE_VERSION,
        target_version=TARGET_VERSION,
    )


def drain(worker: Worker) -> int:
    """Handle messages in this process until the queue is empty."""
    handled = 0
    while count := worker.poll_once():
        handled += count
    return handled


def initialize(job: Job) -> list[JobComponent]:
    """Handle the job's initialize message in this process, leaving its
    component messages on the queue."""
    Worker(queue=SqsQueue(), wait_seconds=1).poll_once()
    job.refresh_from_db()
    assert job.status == Status.RUNNING, job.error
    return list(job.components.order_by("pk"))


def start_worker(settings, log_path: Path) -> subprocess.Popen:
    """Start `manage.py runjobs` in a subprocess on the test's database,
    bucket and queue."""
    environment = worker_environment(
        settings=settings,
        extra={
            "REPOSITORIES_DIR": str(settings.REPOSITORIES_DIR),
            "VAR_DIR": str(settings.VAR_DIR),
            "JOBS_ALLOW_LOCAL_SOURCES": "true",
            "LOG_LEVEL": "INFO",
        },
    )
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            [sys.executable, str(MANAGE_PY), "runjobs", "--wait", "1"],
            cwd=MANAGE_PY.parent,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def stop_worker(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def wait_for(condition, *, timeout: float, logs: list[Path]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            output = "\n".join(path.read_text(errors="replace") for path in logs)
            pytest.fail(f"Timed out after {timeout} s. Worker output:\n{output}")
        time.sleep(0.2)


def job_status(job: Job) -> str:
    return Job.objects.values_list("status", flat=True).get(pk=job.pk)


def lock_waits() -> int:
    """Count transactions on the test database that wait for a row lock.

    The server is shared, so transactions of other databases are left out.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM information_schema.INNODB_TRX AS trx "
            "JOIN information_schema.PROCESSLIST AS process "
            "ON process.ID = trx.trx_mysql_thread_id "
            "WHERE trx.trx_state = 'LOCK WAIT' AND process.DB = %s",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]


def result_keys(job: Job) -> list[tuple]:
    return list(
        Result.objects.filter(job=job).values_list(
            "component_id",
            "original_path",
            "original_start_line",
            "clone_path",
            "clone_start_line",
            "upgraded_path",
            "upgraded_start_line",
        )
    )


def kill_connection() -> None:
    """Drop this process's database connection: KILL it from a second
    connection on MariaDB, close it elsewhere."""
    if connection.vendor != "mysql":
        connection.close()
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT CONNECTION_ID()")
        connection_id = cursor.fetchone()[0]
    killer = connections.create_connection("default")
    try:
        with killer.cursor() as cursor:
            cursor.execute(f"KILL CONNECTION {int(connection_id)}")
    finally:
        killer.close()


@pytest.mark.django_db(transaction=True)
def test_killed_worker_job_still_finishes(aws_stack, tmp_path):
    if connection.vendor != "mysql":
        pytest.skip(
            "Worker subprocesses need the MariaDB test database. Run with "
            "MYSQL_HOST=127.0.0.1."
        )
    job = prepare_job(tmp_path, projects=2)
    components = initialize(job)
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    # Hold the component rows, so the first worker stops inside its
    # component, after computing the triplets and before committing them.
    with transaction.atomic():
        list(
            JobComponent.objects.select_for_update().filter(
                pk__in=[component.pk for component in components]
            )
        )
        first = start_worker(aws_stack, logs[0])
        try:
            wait_for(lambda: lock_waits() > 0, timeout=JOB_TIMEOUT, logs=logs[:1])
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
    second = start_worker(aws_stack, logs[1])
    try:
        wait_for(
            lambda: job_status(job) == Status.FINISHED, timeout=JOB_TIMEOUT, logs=logs
        )
    finally:
        second_exit = stop_worker(second)

    assert first.returncode == -signal.SIGKILL
    assert second_exit == 0
    statuses = list(job.components.values_list("status", flat=True))
    assert statuses == [Status.FINISHED, Status.FINISHED]
    assert Counter(key[0] for key in result_keys(job)) == {
        component.pk: 1 for component in components
    }
    second_log = logs[1].read_text()
    assert second_log.count("Finished component") == 2


@pytest.mark.django_db(transaction=True)
def test_connection_dropped_between_components(aws_stack, tmp_path):
    job = prepare_job(tmp_path, projects=3)
    worker = Worker(queue=SqsQueue(), wait_seconds=1)
    initialize(job)
    worker.poll_once()

    kill_connection()
    drain(worker)

    statuses = Counter(job.components.values_list("status", flat=True))
    assert statuses == {Status.FINISHED: 3}
    assert Result.objects.filter(job=job).count() == 3


@pytest.mark.django_db(transaction=True)
def test_missing_metric_file_fails_only_its_component(aws_stack, s3_client, tmp_path):
    job = prepare_job(tmp_path, projects=3)
    components = initialize(job)
    broken = components[1]
    metric_file = ProjectVersion.objects.get(pk=broken.clone_version_id).metric_file
    options = aws_stack.STORAGES["default"]["OPTIONS"]
    s3_client.delete_object(
        Bucket=options["bucket_name"], Key=f"{options['location']}/{metric_file}"
    )

    drain(Worker(queue=SqsQueue(), wait_seconds=1))

    broken.refresh_from_db()
    assert broken.status == Status.ERROR
    assert metric_file in broken.error
    assert "preparedata" in broken.error
    others = JobComponent.objects.filter(job=job).exclude(pk=broken.pk)
    assert list(others.values_list("status", flat=True)) == [
        Status.FINISHED,
        Status.FINISHED,
    ]
    job.refresh_from_db()
    assert job.status == Status.FINISHED


@pytest.mark.django_db(transaction=True)
def test_two_workers_process_each_component_once(aws_stack, sqs_client, tmp_path):
    database_environment()
    job = prepare_job(tmp_path, projects=6)
    components = initialize(job)
    queue = SqsQueue()
    # Deliver every component twice, as SQS may after a slow worker.
    queue.send([{"type": "component", "component_id": c.pk} for c in components])
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    workers = [start_worker(aws_stack, log) for log in logs]
    try:
        wait_for(
            lambda: (
                job_status(job) == Status.FINISHED and queue_is_empty(sqs_client, queue)
            ),
            timeout=JOB_TIMEOUT,
            logs=logs,
        )
    finally:
        exits = [stop_worker(worker) for worker in workers]

    assert exits == [0, 0]
    statuses = Counter(job.components.values_list("status", flat=True))
    assert statuses == {Status.FINISHED: 6}
    keys = result_keys(job)
    assert len(keys) == len(set(keys))
    assert Counter(key[0] for key in keys) == {c.pk: 1 for c in components}
    handled = [log.read_text().count("Finished component") for log in logs]
    assert sum(handled) == 6


def queue_is_empty(sqs_client, queue: SqsQueue) -> bool:
    attributes = sqs_client.get_queue_attributes(
        QueueUrl=queue.queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ],
    )["Attributes"]
    return all(value == "0" for value in attributes.values())
