"""Read the corpus of prepared projects."""

from django.db.models import Count, QuerySet

from projects.models import Project, ProjectVersion
from versions.tags import order_tags


def prepared_versions(*, library: str) -> QuerySet[ProjectVersion]:
    """Return the versions of every project prepared for `library`."""
    return ProjectVersion.objects.filter(
        library=library, status=ProjectVersion.Status.PREPARED
    ).select_related("project")


def versions_by_release(*, project: Project, library: str) -> list[ProjectVersion]:
    """Return a project's versions for `library` in release order, lowest
    first; versions whose tags name no release come last, by tag."""
    versions = {
        version.tag: version
        for version in ProjectVersion.objects.filter(project=project, library=library)
    }
    ordered = order_tags(versions)
    rest = sorted(set(versions) - set(ordered))
    return [versions[tag] for tag in [*ordered, *rest]]


def status_counts(*, library: str) -> dict[str, int]:
    """Count a library's project versions by status, every status present."""
    counts = dict.fromkeys(ProjectVersion.Status.values, 0)
    rows = (
        ProjectVersion.objects.filter(library=library)
        .values("status")
        .annotate(count=Count("id"))
    )
    for row in rows:
        counts[row["status"]] = row["count"]
    return counts


def failed_projects() -> QuerySet[Project]:
    """Return the projects whose last preparation recorded an error."""
    return Project.objects.exclude(last_error="")
