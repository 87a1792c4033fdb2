"""Preparing a version reuses the blocks of files unchanged since the
project's previous prepared version."""

import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from metrics.files import load_blocks
from projects.models import ProjectVersion, SourceFile
from projects.services import get_project, prepare_version
from projects.tests.gitrepos import Repository, jdk_source, pom
from projects.tests.test_services import GUAVA, needs_preparation

pytestmark = [needs_preparation, pytest.mark.django_db]

OBJECTS = "src/main/java/java/util/Objects.java"
OPTIONAL = "src/main/java/java/util/Optional.java"
JOINER = "src/main/java/java/util/StringJoiner.java"
BROKEN = "src/main/java/example/Broken.java"
# A method header without its closing parenthesis, so extraction records a
# syntax error.
BROKEN_SOURCE = "class Broken {\n  int first() { return 1; }\n  int second( {\n}\n"
ADDED_METHOD = "\n  public static int addedInRelease2() { return 2; }\n}\n"


@pytest.fixture
def repository(tmp_path):
    """Build a project whose tag v2.0 changes only Optional.java of v1.0."""
    repository = Repository(tmp_path / "reuse-project")
    repository.write("pom.xml", pom(guava_version="18.0"))
    repository.write(OBJECTS, jdk_source("java.base/java/util/Objects.java"))
    repository.write(OPTIONAL, jdk_source("java.base/java/util/Optional.java"))
    repository.write(JOINER, jdk_source("java.base/java/util/StringJoiner.java"))
    repository.write(BROKEN, BROKEN_SOURCE)
    repository.commit("Release 1.0")
    repository.tag("v1.0")

    optional = jdk_source("java.base/java/util/Optional.java").decode("utf-8")
    changed = optional.rstrip().removesuffix("}") + ADDED_METHOD
    repository.write(OPTIONAL, changed)
    repository.write("pom.xml", pom(guava_version="19.0"))
    repository.commit("Release 2.0")
    repository.tag("v2.0")
    return repository


@pytest.fixture
def project(repository):
    return get_project(source=str(repository.path))


def reuse_messages(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.getMessage().startswith("Reused ")
    ]


def stored_bytes(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def file_rows(version: ProjectVersion) -> list[tuple]:
    return list(
        SourceFile.objects.filter(project_version=version)
        .order_by("path")
        .values_list("path", "methods_count", "syntax_errors", "error", "blob")
    )


def prepare_from_scratch(project, tag: str) -> ProjectVersion:
    """Prepare `tag` again with no earlier version to reuse."""
    ProjectVersion.objects.filter(project=project).delete()
    return prepare_version(project=project, tag=tag, library=GUAVA).version


def test_prepare_version_records_blob_sha(project, repository, storage_dir):
    version = prepare_version(project=project, tag="v1.0", library=GUAVA).version

    blob = SourceFile.objects.get(project_version=version, path=OBJECTS).blob
    assert blob == repository.git("rev-parse", f"v1.0:{OBJECTS}")


def test_prepare_version_reuses_unchanged_files(project, storage_dir, caplog):
    prepare_version(project=project, tag="v1.0", library=GUAVA)
    caplog.set_level(logging.INFO, logger="metrics.services")
    caplog.clear()

    prepare_version(project=project, tag="v2.0", library=GUAVA)

    messages = reuse_messages(caplog)
    assert len(messages) == 1
    assert messages[0].startswith("Reused 3 of 4 files under ")


def test_prepare_version_reuse_matches_scratch(project, storage_dir):
    prepare_version(project=project, tag="v1.0", library=GUAVA)
    incremental = prepare_version(project=project, tag="v2.0", library=GUAVA).version
    incremental_bytes = stored_bytes(incremental.metric_file)
    incremental_rows = file_rows(incremental)

    scratch = prepare_from_scratch(project, "v2.0")

    assert incremental_bytes == stored_bytes(scratch.metric_file)
    assert incremental_rows == file_rows(scratch)


def test_prepare_version_reuses_errored_file(project, storage_dir):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA).version

    second = prepare_version(project=project, tag="v2.0", library=GUAVA).version

    [first_row] = [row for row in file_rows(first) if row[0] == BROKEN]
    [second_row] = [row for row in file_rows(second) if row[0] == BROKEN]
    assert first_row[2] > 0
    assert second_row == first_row


def test_prepare_version_reextracts_changed_file(project, repository, storage_dir):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA).version

    second = prepare_version(project=project, tag="v2.0", library=GUAVA).version

    names = {block.name for block in load_blocks(second.metric_file)}
    assert "addedInRelease2" in names
    old_blob = SourceFile.objects.get(project_version=first, path=OPTIONAL).blob
    new_blob = SourceFile.objects.get(project_version=second, path=OPTIONAL).blob
    assert new_blob != old_blob
    assert new_blob == repository.git("rev-parse", f"v2.0:{OPTIONAL}")


def test_prepare_version_missing_metric_file_extracts_all(project, storage_dir, caplog):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA).version
    default_storage.delete(first.metric_file)
    caplog.set_level(logging.INFO, logger="metrics.services")
    caplog.clear()

    second = prepare_version(project=project, tag="v2.0", library=GUAVA).version

    assert reuse_messages(caplog)[0].startswith("Reused 0 of 4 files ")
    warnings = [
        record.getMessage()
        for record in caplog.records
        if record.levelno == logging.WARNING and "cannot be read" in record.getMessage()
    ]
    assert len(warnings) == 1
    assert f"version {first.id} (v1.0)" in warnings[0]
    assert second.status == ProjectVersion.Status.PREPARED
    missing_bytes = stored_bytes(second.metric_file)
    scratch = prepare_from_scratch(project, "v2.0")
    assert missing_bytes == stored_bytes(scratch.metric_file)


def test_prepare_version_truncated_metric_file_reextracts(project, storage_dir, caplog):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA).version
    lines = stored_bytes(first.metric_file).splitlines(keepends=True)
    default_storage.delete(first.metric_file)
    default_storage.save(first.metric_file, ContentFile(b"".join(lines[:-1])))
    caplog.set_level(logging.INFO, logger="metrics.services")
    caplog.clear()

    second = prepare_version(project=project, tag="v2.0", library=GUAVA).version

    # The last line belongs to the last file in path order, StringJoiner.java,
    # so only Objects.java and Broken.java are reused.
    assert reuse_messages(caplog)[0].startswith("Reused 2 of 4 files ")
    truncated_bytes = stored_bytes(second.metric_file)
    scratch = prepare_from_scratch(project, "v2.0")
    assert truncated_bytes == stored_bytes(scratch.metric_file)


def test_prepare_version_ignores_other_extractor(project, storage_dir, caplog):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA).version
    ProjectVersion.objects.filter(pk=first.pk).update(extractor_version="0")
    caplog.set_level(logging.INFO, logger="metrics.services")
    caplog.clear()

    prepare_version(project=project, tag="v2.0", library=GUAVA)

    assert reuse_messages(caplog)[0].startswith("Reused 0 of 4 files ")
