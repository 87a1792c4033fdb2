"""Prepare the corpus: read the projects file, check out each release tag,
read the library version it declares, extract and store its methods."""

import json
import logging
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef

from jobs.queue import get_queue
from metrics.files import MetricFileMissing
from metrics.services import (
    ExtractedFile,
    ReusableFile,
    TreeExtraction,
    extract_tree,
    load_reusable_files,
    store_extraction,
)
from oreo.extract import EXTRACTOR_VERSION
from projects.git import (
    GitError,
    clone_or_fetch,
    list_tags,
    redact_source,
)
from projects.models import Project, ProjectVersion, SourceFile
from projects.snapshot import export_commit, resolve_commit
from versions.buildfiles import read_declared_version
from versions.maven import InvalidVersion, parse_version
from versions.tags import DEFAULT_SKIP_PATTERN, order_tags, version_from_tag

logger = logging.getLogger(__name__)

# Project.source is a CharField of this length.
MAX_SOURCE_LENGTH = 500
UNFINISHED_REASON = "Preparation started but did not finish; it is redone next run."


class ProjectsFileError(Exception):
    """The projects file cannot be read at all."""


class PreparationError(Exception):
    """A version cannot be prepared because of its own content."""


@dataclass
class ProjectSpec:
    """One line of the projects file."""

    source: str
    line_number: int
    versions: list[str] | None = None
    library_version: str = ""
    library_versions: dict[str, str] = field(default_factory=dict)

    def fallback_version(self, version: str) -> tuple[str, str]:
        """Return the library version the file gives for a release version,
        and the key it came from, or two empty strings."""
        if version in self.library_versions:
            return self.library_versions[version], f"library_versions[{version!r}]"
        if self.library_version:
            return self.library_version, "library_version"
        return "", ""


@dataclass
class VersionOutcome:
    """Result of preparing one version, shown in the progress line."""

    version: ProjectVersion
    # True when the version was already prepared and nothing was redone.
    reused: bool = False
    syntax_errors: int = 0


@dataclass
class ProjectOutcome:
    """Version counts from preparing one project."""

    project: Project | None
    read: bool = False
    prepared: int = 0
    skipped: int = 0
    reused: int = 0
    failed: int = 0
    queued: int = 0


def read_projects_file(
    path: Path,
) -> tuple[list[ProjectSpec], list[str]]:
    """Parse a projects file of one JSON object a line, and return the specs
    and one message for each line that was left out."""
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise ProjectsFileError(
            f"Reading projects file {path} failed: {error}. Give a UTF-8 file "
            'with one JSON object a line, such as {"source": "<git URL>"}.'
        ) from error

    specs = []
    problems = []
    # Lines are split as bytes, so one line that is not UTF-8 is skipped
    # alone, and a U+2028 inside a JSON string does not end a line.
    for number, raw_line in enumerate(content.splitlines(), start=1):
        try:
            line = _decode_line(raw_line, first=number == 1)
        except UnicodeDecodeError as error:
            problems.append(
                f"{path}:{number}: Invalid UTF-8 at byte {error.start + 1} of the "
                "line; save the file as UTF-8. The line was skipped."
            )
            continue
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            specs.append(parse_project_line(line, line_number=number))
        except ValueError as error:
            problems.append(f"{path}:{number}: {error} The line was skipped.")
    return specs, problems


def parse_project_line(line: str, *, line_number: int) -> ProjectSpec:
    """Parse one line of the projects file, raising ValueError that names
    the bad field."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise ValueError(f"Invalid JSON ({error.msg}, column {error.colno}).") from None
    if not isinstance(data, dict):
        raise ValueError("Invalid line: expected a JSON object.")

    source = _parse_source(data.get("source"))
    versions = data.get("versions")
    if versions is not None and not _is_list_of_strings(versions):
        raise ValueError('Invalid "versions": expected a list of version strings.')
    return ProjectSpec(
        source=source,
        line_number=line_number,
        versions=versions,
        library_version=_parse_library_version(data.get("library_version", "")),
        library_versions=_parse_library_versions(data.get("library_versions", {})),
    )


def _decode_line(raw_line: bytes, *, first: bool) -> str:
    # Editors on Windows often start a UTF-8 file with a byte order mark.
    return raw_line.decode("utf-8-sig" if first else "utf-8")


def _parse_source(source: object) -> str:
    if source is None or source == "":
        raise ValueError('Missing "source": give a git URL or a local path.')
    if not isinstance(source, str):
        raise ValueError(
            f'Invalid "source" {json.dumps(source)}: it must be a string, a git '
            "URL or a local path."
        )
    if not source.strip():
        raise ValueError('Missing "source": give a git URL or a local path.')
    if len(source.strip()) > MAX_SOURCE_LENGTH:
        raise ValueError(
            f'Invalid "source": longer than {MAX_SOURCE_LENGTH} characters.'
        )
    return source.strip()


def _parse_library_version(library_version: object) -> str:
    """Check the fallback library version. An empty string means none."""
    if not isinstance(library_version, str):
        raise ValueError('Invalid "library_version": expected a string.')
    library_version = library_version.strip()
    if library_version:
        try:
            parse_version(library_version)
        except InvalidVersion as error:
            raise ValueError(f'Invalid "library_version": {error}') from None
    return library_version


def _parse_library_versions(library_versions: object) -> dict[str, str]:
    if not isinstance(library_versions, dict) or not _is_list_of_strings(
        [*library_versions.keys(), *library_versions.values()]
    ):
        raise ValueError(
            'Invalid "library_versions": expected an object of release version '
            "to library version strings."
        )
    for release, library_version in library_versions.items():
        try:
            parse_version(library_version)
        except InvalidVersion as error:
            raise ValueError(
                f'Invalid "library_versions" value for {release!r}: {error}'
            ) from None
    return library_versions


def project_name(source: str) -> str:
    """Derive a short project name from the last part of a URL or path."""
    tail = re.split(r"[/:\\]", redact_source(source).rstrip("/\\"))[-1]
    return tail.removesuffix(".git") or source


def get_project(*, source: str) -> Project:
    """Return the project for a source, creating it when it is new."""
    project, _ = Project.objects.get_or_create(
        source=source, defaults={"name": project_name(source)[:200]}
    )
    return project


def select_tags(
    tags: Iterable[str], *, versions: list[str] | None
) -> tuple[list[str], list[str]]:
    """Pick the tags to prepare: the tags of the requested versions in their
    order, or every release tag ordered by version. Return the tags and the
    requested versions that have no tag."""
    tags = list(tags)
    if versions is None:
        skip = settings.RELEASE_TAG_SKIP_PATTERN or DEFAULT_SKIP_PATTERN
        ordered = order_tags(tags, skip_pattern=skip)
        return [tag for tag in ordered if version_from_tag(tag, skip_pattern=skip)], []

    by_version: dict[str, str] = {}
    for tag in tags:
        version = version_from_tag(tag)
        if version:
            by_version.setdefault(str(version), tag)
    exact = set(tags)
    selected, missing = [], []
    for version in versions:
        tag = version if version in exact else by_version.get(version)
        if tag is None:
            missing.append(version)
        elif tag not in selected:
            selected.append(tag)
    return selected, missing


def prepare_version(
    *,
    project: Project,
    tag: str,
    library: str,
    repo_dir: Path | None = None,
    fallback_version: str = "",
    fallback_source: str = "",
    reextract: bool = False,
) -> VersionOutcome:
    """Prepare one release tag of a project for a library: check it out,
    read the library version it declares, extract and store its methods,
    and record the ProjectVersion and its SourceFile rows.

    A version already PREPARED or SKIPPED is returned unchanged, unless
    `reextract` is set and an older extractor made it. Failures are recorded
    on the row as ERROR and raised.
    """
    version, created = ProjectVersion.objects.get_or_create(
        project=project,
        tag=tag,
        library=library,
        defaults={
            "status": ProjectVersion.Status.ERROR,
            "status_reason": UNFINISHED_REASON,
        },
    )
    if (
        not created
        and _is_done(version, reextract, EXTRACTOR_VERSION)
        and _tag_unchanged(version, repo_dir)
    ):
        return VersionOutcome(version=version, reused=True)

    try:
        if repo_dir is None:
            repo_dir = clone_or_fetch(project.source)
        return _prepare_checked_out(
            version,
            repo_dir=repo_dir,
            fallback_version=fallback_version,
            fallback_source=fallback_source,
            extractor_version=EXTRACTOR_VERSION,
        )
    except Exception as error:
        _record_error(version, str(error) or type(error).__name__)
        raise


def prepare_projects(
    *,
    specs: list[ProjectSpec],
    library: str,
    reextract: bool = False,
    report: Callable[[str], None] = lambda line: None,
) -> list[ProjectOutcome]:
    """Prepare every project of a projects file, going on after a project
    fails, and return one outcome per project."""
    outcomes = []
    for spec in specs:
        try:
            outcome = prepare_project(
                spec=spec, library=library, reextract=reextract, report=report
            )
        except Exception as error:
            logger.exception("Preparing project %s failed", redact_source(spec.source))
            report(f"{redact_source(spec.source)}: failed. {error}")
            outcome = ProjectOutcome(project=None)
        outcomes.append(outcome)
    return outcomes


def prepare_project(
    *,
    spec: ProjectSpec,
    library: str,
    reextract: bool = False,
    report: Callable[[str], None] = lambda line: None,
) -> ProjectOutcome:
    """Prepare the requested release versions of one project, going on
    after a version fails, and return the counts. `report` receives one
    progress line per version."""
    project = get_project(source=spec.source)
    outcome = ProjectOutcome(project=project)
    repo_dir, tags = _fetch_tags(project, spec, report)
    if repo_dir is None:
        return outcome
    outcome.read = True

    selected, missing = select_tags(tags, versions=spec.versions)
    for version in missing:
        reason = (
            f"No tag for version {version!r} in {redact_source(spec.source)}; "
            f"looked for {version!r}, 'v{version}' and '<name>-{version}'. Fix "
            "the version in the projects file or push the tag."
        )
        _record_missing_tag(project, version, library, reason)
        outcome.failed += 1
        report(f"{project.name} {version}: {reason}")

    failures = []
    for index, tag in enumerate(selected, start=1):
        prefix = f"[{index}/{len(selected)}] {project.name} {tag}"
        try:
            result = _prepare_spec_version(
                project, spec, tag, library, repo_dir, reextract
            )
        except (GitError, PreparationError) as error:
            logger.warning(
                "Preparing project %s (%s) tag %s failed: %s",
                project.id,
                project.name,
                tag,
                error,
            )
            failures.append(f"{tag}: {error}")
            outcome.failed += 1
            report(f"{prefix}: failed. {error}")
            continue
        except Exception as error:
            logger.exception(
                "Preparing project %s (%s) tag %s failed", project.id, project.name, tag
            )
            failures.append(f"{tag}: {error}")
            outcome.failed += 1
            report(f"{prefix}: failed. {error}")
            continue
        _count(outcome, result)
        report(f"{prefix}: {describe_outcome(result)}")

    _record_project_error(project, "\n".join(failures))
    return outcome


def _fetch_tags(
    project: Project, spec: ProjectSpec, report: Callable[[str], None]
) -> tuple[Path | None, list[str]]:
    """Clone or fetch a project and list its tags; on failure record and
    report the error and return no folder."""
    try:
        repo_dir = clone_or_fetch(spec.source)
        return repo_dir, list_tags(repo_dir)
    except GitError as error:
        _record_project_error(project, str(error))
        report(f"{project.name}: {error}")
        return None, []


def enqueue_project(
    *,
    spec: ProjectSpec,
    library: str,
    reextract: bool = False,
    report: Callable[[str], None] = lambda line: None,
) -> ProjectOutcome:
    """Queue one `prepare` message per release version of a project that
    still needs preparing, for any `runjobs` worker to handle."""
    project = get_project(source=spec.source)
    outcome = ProjectOutcome(project=project)
    repo_dir, tags = _fetch_tags(project, spec, report)
    if repo_dir is None:
        return outcome
    outcome.read = True

    selected, missing = select_tags(tags, versions=spec.versions)
    for version in missing:
        report(f"{project.name} {version}: no tag for this version; not queued.")
        outcome.failed += 1

    done = {
        version.tag
        for version in ProjectVersion.objects.filter(project=project, library=library)
        if _is_done(version, reextract, EXTRACTOR_VERSION)
        and _tag_unchanged(version, repo_dir)
    }
    bodies = []
    for tag in selected:
        if tag in done:
            outcome.reused += 1
            continue
        fallback_version, key = _fallback_for_tag(spec, tag)
        bodies.append(
            {
                "type": "prepare",
                "source": spec.source,
                "tag": tag,
                "library": library,
                "fallback_version": fallback_version,
                "fallback_source": _fallback_source(spec, key),
                "reextract": reextract,
            }
        )
    get_queue().send(bodies)
    outcome.queued = len(bodies)
    report(
        f"{project.name}: queued {len(bodies)} versions, {outcome.reused} already done."
    )
    return outcome


def prepare_from_message(body: dict) -> VersionOutcome:
    """Prepare the project version a `prepare` message names.

    Safe to run twice: a version already prepared is returned unchanged.
    """
    try:
        source, tag, library = body["source"], body["tag"], body["library"]
    except KeyError as error:
        raise PreparationError(
            f"Invalid prepare message {body}: {error} is missing."
        ) from error
    project = get_project(source=source)
    outcome = prepare_version(
        project=project,
        tag=tag,
        library=library,
        fallback_version=body.get("fallback_version", ""),
        fallback_source=body.get("fallback_source", ""),
        reextract=bool(body.get("reextract", False)),
    )
    logger.info(
        "Prepared project %s (%s) tag %s from the queue: %s",
        project.id,
        project.name,
        tag,
        describe_outcome(outcome),
    )
    return outcome


def describe_outcome(outcome: VersionOutcome) -> str:
    """Describe a prepared version in a few words for the progress line."""
    version = outcome.version
    if outcome.reused:
        return f"already {version.get_status_display()}"
    if version.status == ProjectVersion.Status.SKIPPED:
        return f"skipped. {version.status_reason}"
    return (
        f"{version.methods_count} methods, {outcome.syntax_errors} syntax errors"
        f" (library {version.declared_version})"
    )


def _prepare_spec_version(
    project: Project,
    spec: ProjectSpec,
    tag: str,
    library: str,
    repo_dir: Path,
    reextract: bool,
) -> VersionOutcome:
    fallback_version, key = _fallback_for_tag(spec, tag)
    return prepare_version(
        project=project,
        tag=tag,
        library=library,
        repo_dir=repo_dir,
        fallback_version=fallback_version,
        fallback_source=_fallback_source(spec, key),
        reextract=reextract,
    )


def _fallback_for_tag(spec: ProjectSpec, tag: str) -> tuple[str, str]:
    fallback_version, key = spec.fallback_version(str(version_from_tag(tag) or tag))
    if not fallback_version:
        fallback_version, key = spec.fallback_version(tag)
    return fallback_version, key


def _fallback_source(spec: ProjectSpec, key: str) -> str:
    return f"projects file, line {spec.line_number}, {key}" if key else ""


def _tag_unchanged(version: ProjectVersion, repo_dir: Path | None) -> bool:
    """Return False when the tag now names another commit than the one
    prepared (a moved tag), so the version is prepared again. Without a
    clone at hand the tag is taken as unchanged."""
    if repo_dir is None or not version.commit:
        return True
    try:
        return resolve_commit(repo_dir, version.tag) == version.commit
    except GitError:
        return True


def _is_done(version: ProjectVersion, reextract: bool, extractor_version: str) -> bool:
    finished = version.status in (
        ProjectVersion.Status.PREPARED,
        ProjectVersion.Status.SKIPPED,
    )
    if not finished:
        return False
    if reextract and version.extractor_version != extractor_version:
        return False
    return _stored_files_present(version)


def _stored_files_present(version: ProjectVersion) -> bool:
    """Return whether a prepared version's stored files still exist, so a
    version whose metric file was lost is prepared again."""
    if version.status != ProjectVersion.Status.PREPARED:
        return True
    names = [name for name in (version.metric_file, version.sources_file) if name]
    missing = [name for name in names if not default_storage.exists(name)]
    if missing:
        logger.warning(
            "Project %s version %s (%s) lost its stored files %s; preparing it again",
            version.project_id,
            version.pk,
            version.tag,
            ", ".join(missing),
        )
    return not missing


def _prepare_checked_out(
    version: ProjectVersion,
    *,
    repo_dir: Path,
    fallback_version: str,
    fallback_source: str,
    extractor_version: str,
) -> VersionOutcome:
    # The tag is exported to a folder of its own instead of checked out, so
    # several workers can prepare tags of one clone at the same time.
    with tempfile.TemporaryDirectory(prefix="prepare-") as temporary:
        tree = Path(temporary) / "tree"
        commit = export_commit(repo_dir, version.tag, tree)
        return _prepare_tree(
            version,
            tree=tree,
            commit=commit,
            fallback_version=fallback_version,
            fallback_source=fallback_source,
            extractor_version=extractor_version,
        )


def _prepare_tree(
    version: ProjectVersion,
    *,
    tree: Path,
    commit: str,
    fallback_version: str,
    fallback_source: str,
    extractor_version: str,
) -> VersionOutcome:
    declared = read_declared_version(tree, version.library)
    if declared is None:
        reason = f"The build files at this tag do not declare {version.library}."
        _record_skipped(version, commit, reason, extractor_version)
        return VersionOutcome(version=version)

    declared_version, declared_source = declared.version, declared.source
    if not declared_version:
        if not fallback_version:
            problems = "; ".join(declared.problems) or "no version found"
            raise PreparationError(
                f"The build files declare {version.library} but its version "
                f'could not be resolved ({problems}). Add "library_version" '
                'or "library_versions" to this project\'s line of the '
                "projects file."
            )
        declared_version, declared_source = fallback_version, fallback_source

    extraction = extract_tree(
        tree,
        folder=version.project.name,
        reusable=_reusable_files(version, extractor_version),
    )
    prefix = f"versions/{version.project_id}/{version.id}"
    metric_file, sources_file = store_extraction(
        prefix=prefix, extraction=extraction, root=tree
    )
    _record_prepared(
        version,
        commit=commit,
        declared_version=str(declared_version),
        declared_source=declared_source,
        extraction=extraction,
        files=(metric_file, sources_file),
        extractor_version=extractor_version,
    )
    return VersionOutcome(version=version, syntax_errors=extraction.syntax_errors)


def _reusable_files(
    version: ProjectVersion, extractor_version: str
) -> dict[str, ReusableFile]:
    """Load the files of the project's latest version prepared by the same
    extractor, so that files unchanged since then are not extracted again.
    Return no files when there is no such version or its metric file cannot
    be read."""
    earlier = _latest_prepared_with_blobs(version, extractor_version)
    if earlier is None:
        return {}

    files = [
        ExtractedFile(
            path=row.path,
            methods_count=row.methods_count,
            syntax_errors=row.syntax_errors,
            error=row.error,
            blob=row.blob,
        )
        for row in earlier.files.exclude(blob="")
    ]
    try:
        return load_reusable_files(metric_file=earlier.metric_file, files=files)
    except (MetricFileMissing, OSError) as error:
        logger.warning(
            "Extracting every file of project %s version %s (%s): the metric file "
            "of version %s (%s) cannot be read: %s",
            version.project_id,
            version.id,
            version.tag,
            earlier.id,
            earlier.tag,
            error,
        )
        return {}


def _latest_prepared_with_blobs(
    version: ProjectVersion, extractor_version: str
) -> ProjectVersion | None:
    recorded_blobs = SourceFile.objects.filter(project_version=OuterRef("pk")).exclude(
        blob=""
    )
    return (
        ProjectVersion.objects.filter(
            project_id=version.project_id,
            library=version.library,
            status=ProjectVersion.Status.PREPARED,
            extractor_version=extractor_version,
        )
        .exclude(pk=version.pk)
        .filter(Exists(recorded_blobs))
        .order_by("-prepared_at", "-id")
        .first()
    )


def _record_prepared(
    version: ProjectVersion,
    *,
    commit: str,
    declared_version: str,
    declared_source: str,
    extraction: TreeExtraction,
    files: tuple[str, str],
    extractor_version: str,
) -> None:
    version.commit = commit
    version.declared_version = declared_version
    version.declared_version_source = declared_source[:500]
    version.metric_file, version.sources_file = files
    version.files_count = len(extraction.files)
    version.methods_count = extraction.methods_count
    version.extraction_errors = extraction.syntax_errors + extraction.failed_files
    version.extractor_version = extractor_version
    version.status = ProjectVersion.Status.PREPARED
    version.status_reason = ""

    rows = [
        SourceFile(
            project_version=version,
            path=extracted.path,
            methods_count=extracted.methods_count,
            syntax_errors=extracted.syntax_errors,
            error=extracted.error,
            blob=extracted.blob,
        )
        for extracted in extraction.files
    ]

    with transaction.atomic():
        version.save()
        version.files.all().delete()
        SourceFile.objects.bulk_create(rows, batch_size=500)
    logger.info(
        "Prepared project %s version %s (%s): %d files, %d methods",
        version.project_id,
        version.id,
        version.tag,
        version.files_count,
        version.methods_count,
    )


def _record_skipped(
    version: ProjectVersion, commit: str, reason: str, extractor_version: str
) -> None:
    version.commit = commit
    version.status = ProjectVersion.Status.SKIPPED
    version.status_reason = reason
    version.extractor_version = extractor_version
    version.declared_version = ""
    version.declared_version_source = ""
    version.metric_file = version.sources_file = ""
    version.files_count = version.methods_count = version.extraction_errors = 0
    with transaction.atomic():
        version.save()
        version.files.all().delete()
    logger.info(
        "Skipped project %s version %s (%s): %s",
        version.project_id,
        version.id,
        version.tag,
        reason,
    )


def _record_error(version: ProjectVersion, reason: str) -> None:
    version.status = ProjectVersion.Status.ERROR
    version.status_reason = reason
    version.save(update_fields=["status", "status_reason", "prepared_at"])


def _record_missing_tag(
    project: Project, version: str, library: str, reason: str
) -> None:
    ProjectVersion.objects.update_or_create(
        project=project,
        tag=version,
        library=library,
        defaults={"status": ProjectVersion.Status.ERROR, "status_reason": reason},
    )
    logger.warning("Project %s (%s): %s", project.id, project.name, reason)


def _record_project_error(project: Project, error: str) -> None:
    if error:
        logger.warning("Project %s (%s) failed: %s", project.id, project.name, error)
    if project.last_error != error:
        project.last_error = error
        project.save(update_fields=["last_error", "updated_at"])


def _count(outcome: ProjectOutcome, result: VersionOutcome) -> None:
    if result.reused:
        outcome.reused += 1
    elif result.version.status == ProjectVersion.Status.SKIPPED:
        outcome.skipped += 1
    else:
        outcome.prepared += 1


def _is_list_of_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)
