import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Job, JobComponent, QueueMessage, Status
from projects.models import Project, ProjectVersion

pytestmark = pytest.mark.django_db


def make_job(status: str) -> Job:
    return Job.objects.create(
        source="https://example.com/app.git",
        commit="abc",
        library="com.google.guava:guava",
        source_version="18.0",
        target_version="21.0",
        status=status,
    )


def age(model, pk, minutes: int, field: str) -> None:
    model.objects.filter(pk=pk).update(
        **{field: timezone.now() - timedelta(minutes=minutes)}
    )


def make_component(job: Job, status: str) -> JobComponent:
    project = Project.objects.create(source=f"/repos/{job.pk}-{status}", name="lib")
    versions = [
        ProjectVersion.objects.create(
            project=project, tag=tag, library=job.library, declared_version=declared
        )
        for tag, declared in (("v1", "18.0"), ("v2", "21.0"))
    ]
    return JobComponent.objects.create(
        job=job,
        project=project,
        clone_version=versions[0],
        upgraded_version=versions[1],
        status=status,
    )


def test_requeuejobs_queues_stuck_work_only():
    stuck_job = make_job(Status.INITIALIZING)
    fresh_job = make_job(Status.INITIALIZING)
    running = make_job(Status.RUNNING)
    stuck_component = make_component(running, Status.QUEUEING)
    done_component = make_component(running, Status.FINISHED)
    age(Job, stuck_job.pk, 60, "updated_at")
    age(JobComponent, stuck_component.pk, 60, "created_at")
    age(JobComponent, done_component.pk, 60, "created_at")
    stdout = io.StringIO()

    call_command("requeuejobs", "--older-than", "30", stdout=stdout)

    bodies = list(QueueMessage.objects.values_list("body", flat=True))
    assert {"type": "initialize", "job_id": stuck_job.pk} in bodies
    assert {"type": "component", "component_id": stuck_component.pk} in bodies
    assert len(bodies) == 2
    assert fresh_job.pk not in [body.get("job_id") for body in bodies]
    assert "Queued 1 jobs and 1 components again." in stdout.getvalue()
