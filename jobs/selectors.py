"""Reads for jobs: which corpus versions a job compares, and job progress."""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from jobs.models import Job, JobComponent, Result, Status
from projects.models import Project, ProjectVersion
from versions.maven import InvalidVersion, parse_version
from versions.tags import DEFAULT_SKIP_PATTERN, order_tags


@dataclass(frozen=True)
class Comparison:
    """The two versions of one corpus project that a job component compares."""

    project: Project
    clone_version: ProjectVersion
    upgraded_version: ProjectVersion


def same_release(first: str, second: str) -> bool:
    """Return whether two library versions name the same release.

    `-jre` and `-android` flavours of one release count as the same, so a
    client on `23.0` finds projects declaring `23.0-jre`.
    """
    try:
        return parse_version(first).same_release(parse_version(second))
    except InvalidVersion:
        return first == second


def select_comparisons(
    *, library: str, source_version: str, target_version: str
) -> list[Comparison]:
    """Pick, for every corpus project with versions on both library versions,
    its latest version on the source and its earliest later version on the
    target, by the order of the release tags."""
    prepared = (
        ProjectVersion.objects.filter(
            library=library, status=ProjectVersion.Status.PREPARED
        )
        .exclude(declared_version="")
        .select_related("project")
        .order_by("project_id", "id")
    )
    by_project = defaultdict(list)
    for version in prepared:
        by_project[version.project_id].append(version)

    comparisons = []
    for versions in by_project.values():
        comparison = _compare_project(versions, source_version, target_version)
        if comparison:
            comparisons.append(comparison)
    comparisons.sort(
        key=lambda comparison: (comparison.project.name, comparison.project.pk)
    )
    return comparisons


def _compare_project(versions, source_version, target_version) -> Comparison | None:
    ordered = _order_by_tag(versions)
    position = {version.pk: index for index, version in enumerate(ordered)}
    on_source = [v for v in ordered if same_release(v.declared_version, source_version)]
    if not on_source:
        return None

    clone = on_source[-1]
    on_target = [
        version
        for version in ordered
        if same_release(version.declared_version, target_version)
        and position[version.pk] > position[clone.pk]
    ]
    if not on_target:
        return None
    return Comparison(clone.project, clone, on_target[0])


def _order_by_tag(versions: list[ProjectVersion]) -> list[ProjectVersion]:
    """Order a project's versions by release version; tags that name no
    release version keep their preparation order, after the others."""
    by_tag = {version.tag: version for version in versions}
    skip = settings.RELEASE_TAG_SKIP_PATTERN or DEFAULT_SKIP_PATTERN
    ordered_tags = order_tags(by_tag, skip_pattern=skip)
    ordered = [by_tag[tag] for tag in ordered_tags if tag in by_tag]
    seen = {version.pk for version in ordered}
    return ordered + [version for version in versions if version.pk not in seen]


def jobs_with_progress():
    """Return jobs annotated with their component counts and results count.

    Subqueries keep the counts independent, where joins would multiply
    components by results.
    """
    return Job.objects.annotate(
        components_total=_count_per_job(JobComponent),
        components_done=_count_per_job(JobComponent, exclude_status=Status.QUEUEING),
        results_count=_count_per_job(Result),
    )


def _count_per_job(model, exclude_status=None):
    rows = model.objects.filter(job=OuterRef("pk"))
    if exclude_status:
        rows = rows.exclude(status=exclude_status)
    counts = rows.order_by().values("job").annotate(total=Count("pk")).values("total")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
