"""Writes for jobs: creating a job and the worker's message handlers.

Every handler is safe to run twice, because the queue may deliver a message
again when a worker dies or is slow. A handler checks the status it starts
from under a row lock, and it replaces (never appends) what it writes.
"""

import logging
import tempfile
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jobs import queue
from jobs.library_usage import library_packages
from jobs.matching import CodeSource, Triplet, find_triplets
from jobs.models import Job, JobComponent, JobFile, Result, Status
from jobs.selectors import select_comparisons
from metrics.files import SourceArchive, load_blocks
from metrics.services import extract_tree, store_extraction
from projects.git import clone_or_fetch
from projects.models import ProjectVersion
from projects.snapshot import export_commit

logger = logging.getLogger(__name__)


class QueueSendError(Exception):
    """The queue did not take a new job's message, so the job was not kept."""


class JobInputError(Exception):
    """Raised when a job's repository or commit cannot be used. The message
    gives the reason."""


def create_job(
    *,
    source: str,
    commit: str,
    library: str,
    source_version: str,
    target_version: str,
) -> Job:
    """Store a validated job as INITIALIZING and queue its initialization.

    The message is sent after the job is committed, so a worker always finds
    the job. When the queue does not take it, the job is deleted again and
    QueueSendError raised, so the client can retry without a duplicate.
    """
    job = Job.objects.create(
        source=source,
        commit=commit,
        library=library,
        source_version=source_version,
        target_version=target_version,
        status=Status.INITIALIZING,
    )
    try:
        queue.send_now([{"type": queue.INITIALIZE, "job_id": job.pk}])
    except Exception as error:
        logger.exception("Queueing new job %s failed; deleting it", job.pk)
        job.delete()
        raise QueueSendError(
            "The job queue is unavailable, so the job was not created. Try "
            "again in a minute."
        ) from error
    logger.info(
        "Created job %s for %s at %s: %s %s -> %s",
        job.pk,
        source,
        commit,
        library,
        source_version,
        target_version,
    )
    return job


def initialize_job(*, job_id: int) -> None:
    """Extract the job's code, then create and queue one component per
    corpus project that has versions on both library versions."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("Skipped initialize for job %s: the job was deleted", job_id)
        return
    if job.status != Status.INITIALIZING:
        _resend_queued_components(job)
        return

    logger.info("Initializing job %s for %s at %s", job.pk, job.source, job.commit)
    if _is_local_path(job.source) and not settings.JOBS_ALLOW_LOCAL_SOURCES:
        raise JobInputError(
            f"Local path {job.source!r} is not allowed as a job source on this "
            "server. Use a git URL, or set JOBS_ALLOW_LOCAL_SOURCES=true."
        )
    with tempfile.TemporaryDirectory(prefix=f"job-{job.pk}-") as temporary:
        tree = Path(temporary) / "tree"
        repo_dir = clone_or_fetch(job.source)
        sha = export_commit(repo_dir, job.commit, tree)
        extraction = extract_tree(tree, folder=f"job-{job.pk}")
        metric_file, sources_file = store_extraction(
            prefix=f"jobs/{job.pk}", extraction=extraction, root=tree
        )
    comparisons = select_comparisons(
        library=job.library,
        source_version=job.source_version,
        target_version=job.target_version,
    )

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != Status.INITIALIZING:
            return
        JobFile.objects.filter(job=job).delete()
        JobFile.objects.bulk_create(
            JobFile(
                job=job,
                path=file.path,
                methods_count=file.methods_count,
                syntax_errors=file.syntax_errors,
                error=file.error,
            )
            for file in extraction.files
        )
        components = [
            JobComponent.objects.create(
                job=job,
                project=comparison.project,
                clone_version=comparison.clone_version,
                upgraded_version=comparison.upgraded_version,
            )
            for comparison in comparisons
        ]
        job.metric_file = metric_file
        job.sources_file = sources_file
        job.methods_count = len(extraction.blocks)
        if components:
            job.status = Status.RUNNING
        else:
            job.status = Status.FINISHED
            job.finished_at = timezone.now()
            job.notice = _no_comparison_notice(job)
        job.save()
        queue.enqueue(
            [
                {"type": queue.COMPONENT, "component_id": component.pk}
                for component in components
            ]
        )
    logger.info(
        "Initialized job %s at %s: %d files, %d methods, %d components",
        job.pk,
        sha[:12],
        len(extraction.files),
        len(extraction.blocks),
        len(components),
    )


def _no_comparison_notice(job: Job) -> str:
    prepared = ProjectVersion.objects.filter(
        library=job.library, status=ProjectVersion.Status.PREPARED
    )
    if not prepared.exists():
        return (
            f"No project versions are prepared for {job.library}. Prepare a "
            f"corpus with `preparedata --library {job.library}`."
        )
    return (
        f"No corpus project has a release declaring {job.library} "
        f"{job.source_version} followed by one declaring {job.target_version}. "
        "Prepare more projects, or choose versions that the corpus covers."
    )


def _resend_queued_components(job: Job) -> None:
    """Queue again the components of a job whose initialization ran before.

    The first run may have died between committing and sending. A component
    that receives two messages is still processed once in effect.
    """
    pending = list(
        job.components.filter(status=Status.QUEUEING).values_list("pk", flat=True)
    )
    logger.info(
        "Job %s is already %s; queueing its %d pending components again",
        job.pk,
        job.status,
        len(pending),
    )
    queue.enqueue([{"type": queue.COMPONENT, "component_id": pk} for pk in pending])


def run_component(*, component_id: int) -> None:
    """Find the triplets of one component, store them and finish it."""
    component = (
        JobComponent.objects.select_related(
            "job", "project", "clone_version", "upgraded_version"
        )
        .filter(pk=component_id)
        .first()
    )
    if component is None:
        logger.warning("Skipped component %s: it was deleted", component_id)
        return
    if component.status != Status.QUEUEING:
        logger.info(
            "Skipped component %s of job %s: already %s",
            component.pk,
            component.job_id,
            component.status,
        )
        finish_job_if_done(job_id=component.job_id)
        return

    JobComponent.objects.filter(pk=component.pk).update(attempts=F("attempts") + 1)
    logger.info(
        "Running component %s of job %s: %s %s -> %s",
        component.pk,
        component.job_id,
        component.project.name,
        component.clone_version.tag,
        component.upgraded_version.tag,
    )
    triplets = _find_component_triplets(component)

    with transaction.atomic():
        locked = JobComponent.objects.select_for_update().get(pk=component_id)
        if locked.status != Status.QUEUEING:
            return
        Result.objects.filter(component=locked).delete()
        Result.objects.bulk_create(
            _result_row(component, triplet) for triplet in triplets
        )
        locked.status = Status.FINISHED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
    logger.info(
        "Finished component %s of job %s: %d results",
        component.pk,
        component.job_id,
        len(triplets),
    )
    finish_job_if_done(job_id=component.job_id)


def _find_component_triplets(component: JobComponent) -> list[Triplet]:
    job = component.job
    clone_version = component.clone_version
    upgraded_version = component.upgraded_version
    job_blocks = load_blocks(job.metric_file)
    clone_blocks = load_blocks(clone_version.metric_file)
    upgraded_blocks = load_blocks(upgraded_version.metric_file)

    with ExitStack() as stack:
        job_code, clone_code, upgraded_code = (
            _code_source(stack.enter_context(SourceArchive(name)))
            for name in (
                job.sources_file,
                clone_version.sources_file,
                upgraded_version.sources_file,
            )
        )
        return find_triplets(
            job_blocks=job_blocks,
            clone_blocks=clone_blocks,
            upgraded_blocks=upgraded_blocks,
            job_code=job_code,
            clone_code=clone_code,
            upgraded_code=upgraded_code,
            packages=library_packages(job.library),
        )


def _code_source(archive: SourceArchive) -> CodeSource:
    return CodeSource(read_lines=archive.lines, read_text=archive.text)


def _result_row(component: JobComponent, triplet: Triplet) -> Result:
    fields = {}
    for role in ("original", "clone", "upgraded"):
        method = getattr(triplet, role)
        fields[f"{role}_path"] = method.block.file
        fields[f"{role}_method"] = method.block.name
        fields[f"{role}_start_line"] = method.block.start_line
        fields[f"{role}_end_line"] = method.block.end_line
        fields[f"{role}_code"] = method.code
    return Result(
        job_id=component.job_id,
        component=component,
        similarity=triplet.similarity,
        **fields,
    )


def finish_job_if_done(*, job_id: int) -> None:
    """Mark a running job FINISHED once none of its components is QUEUEING.

    Failed components are summed up in the job's notice, because the job
    itself still finishes with the results of the others.
    """
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Status.RUNNING:
            return
        # A plain read, not a locking one: a worker storing results holds its
        # component's lock and waits for the job row (the foreign key check of
        # its inserts), so locking components here would deadlock with it.
        # Under READ COMMITTED the read sees every committed component, and the
        # worker committing last finds none pending once it holds the job row.
        pending = JobComponent.objects.filter(job_id=job_id, status=Status.QUEUEING)
        if pending.exists():
            return
        job.status = Status.FINISHED
        job.finished_at = timezone.now()
        job.notice = _failed_components_notice(job)
        job.save(update_fields=["status", "finished_at", "notice", "updated_at"])
    logger.info("Finished job %s", job_id)


def _failed_components_notice(job: Job) -> str:
    failed = job.components.filter(status=Status.ERROR).order_by("id")
    count = failed.count()
    if not count:
        return ""
    first = failed.select_related("project").first()
    return (
        f"{count} of {job.components.count()} project comparisons failed, so "
        f"their examples are missing. First error ({first.project.name}): "
        f"{first.error}"
    )


def requeue_stuck_work(*, older_than: timedelta) -> tuple[int, int]:
    """Queue again the jobs still INITIALIZING and the components still
    QUEUEING that were last changed longer ago than `older_than`.

    Their messages may have been lost (a failed send, a queue that was
    recreated). Handlers are safe to run twice, so a message that was not
    lost costs only repeated work. Returns the numbers of jobs and
    components queued.
    """
    cutoff = timezone.now() - older_than
    job_ids = list(
        Job.objects.filter(
            status=Status.INITIALIZING, updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    component_ids = list(
        JobComponent.objects.filter(
            status=Status.QUEUEING,
            job__status=Status.RUNNING,
            created_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    queue.send_now(
        [{"type": queue.INITIALIZE, "job_id": pk} for pk in job_ids]
        + [{"type": queue.COMPONENT, "component_id": pk} for pk in component_ids]
    )
    logger.info(
        "Queued %d stuck jobs and %d stuck components again",
        len(job_ids),
        len(component_ids),
    )
    return len(job_ids), len(component_ids)


def fail_job(*, job_id: int, reason: str) -> None:
    """Mark a job ERROR unless it already finished."""
    updated = (
        Job.objects.filter(pk=job_id)
        .exclude(status__in=[Status.FINISHED, Status.ERROR])
        .update(status=Status.ERROR, error=reason, finished_at=timezone.now())
    )
    if updated:
        logger.warning("Job %s failed: %s", job_id, reason)


def fail_component(*, component_id: int, reason: str) -> None:
    """Mark a queued component ERROR, then finish its job if it was the last."""
    with transaction.atomic():
        component = (
            JobComponent.objects.select_for_update().filter(pk=component_id).first()
        )
        if component is None or component.status != Status.QUEUEING:
            return
        component.status = Status.ERROR
        component.error = reason
        component.finished_at = timezone.now()
        component.save(update_fields=["status", "error", "finished_at"])
    logger.warning(
        "Component %s of job %s failed: %s", component_id, component.job_id, reason
    )
    finish_job_if_done(job_id=component.job_id)


def _is_local_path(source: str) -> bool:
    return "://" not in source and not source.startswith("git@")
