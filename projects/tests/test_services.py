import json

import pytest
from django.core.files.storage import default_storage

from metrics.tests.conftest import module_unavailable
from projects.git import GitError, clone_or_fetch
from projects.models import Project, ProjectVersion, SourceFile
from projects.services import (
    PreparationError,
    ProjectsFileError,
    ProjectSpec,
    get_project,
    prepare_project,
    prepare_version,
    project_name,
    read_projects_file,
    select_tags,
)
from projects.tests.gitrepos import guava_user, jdk_source

GUAVA = "com.google.guava:guava"

needs_preparation = pytest.mark.skipif(
    any(
        module_unavailable(name)
        for name in ("oreo.extract", "oreo.metricfile", "versions.buildfiles")
    ),
    reason="oreo.extract, oreo.metricfile or versions.buildfiles cannot be imported",
)

UNRESOLVED_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.example</groupId>
    <artifactId>company-parent</artifactId>
    <version>7</version>
  </parent>
  <artifactId>guava-user</artifactId>
  <dependencies>
    <dependency>
      <groupId>com.google.guava</groupId>
      <artifactId>guava</artifactId>
      <version>${guava.version}</version>
    </dependency>
  </dependencies>
</project>
"""


def write_lines(path, *lines):
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


# read_projects_file


def test_read_projects_file_parses_lines(tmp_path):
    path = write_lines(
        tmp_path / "projects.jsonl",
        json.dumps({"source": "https://h/a.git", "versions": ["1.0", "1.1"]}),
        json.dumps({"source": "/repos/b", "library_version": "18.0"}),
    )

    specs, problems = read_projects_file(path)

    assert [spec.source for spec in specs] == ["https://h/a.git", "/repos/b"]
    assert specs[0].versions == ["1.0", "1.1"]
    assert specs[1].versions is None
    assert specs[1].library_version == "18.0"
    assert problems == []


def test_read_projects_file_reports_invalid_json(tmp_path):
    path = write_lines(
        tmp_path / "projects.jsonl",
        json.dumps({"source": "https://h/a.git"}),
        "{not json",
        json.dumps({"source": "https://h/c.git"}),
    )

    specs, problems = read_projects_file(path)

    assert len(specs) == 2
    assert len(problems) == 1
    assert f"{path}:2: Invalid JSON" in problems[0]


def test_read_projects_file_reports_missing_source(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", json.dumps({"versions": ["1.0"]}))

    _, problems = read_projects_file(path)

    assert 'p.jsonl:1: Missing "source"' in problems[0]


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"source": "a", "versions": "1.0"}, '"versions"'),
        ({"source": "a", "versions": [1.0]}, '"versions"'),
        ({"source": "a", "library_version": 18}, '"library_version"'),
        ({"source": "a", "library_versions": {"1.0": 18}}, '"library_versions"'),
        ({"source": 7}, '"source"'),
        ({"source": "a" * 501}, "longer than 500"),
        (["a"], "JSON object"),
    ],
)
def test_read_projects_file_names_bad_field(tmp_path, line, field):
    path = write_lines(tmp_path / "p.jsonl", json.dumps(line))

    specs, problems = read_projects_file(path)

    assert specs == []
    assert field in problems[0]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ({"source": "a", "library_version": "1..2"}, "Invalid version '1..2'"),
        ({"source": "a", "library_version": "18 .0"}, "Invalid version '18 .0'"),
        (
            {"source": "a", "library_versions": {"1.0": "1..2"}},
            "Invalid \"library_versions\" value for '1.0'",
        ),
        ({"source": "a", "library_versions": {"1.0": ""}}, "it is empty"),
    ],
)
def test_read_projects_file_rejects_invalid_library_version(tmp_path, line, reason):
    path = write_lines(
        tmp_path / "p.jsonl", json.dumps({"source": "b"}), json.dumps(line)
    )

    specs, problems = read_projects_file(path)

    assert [spec.source for spec in specs] == ["b"]
    assert len(problems) == 1
    assert f"{path}:2: " in problems[0]
    assert reason in problems[0]


def test_read_projects_file_keeps_valid_library_versions(tmp_path):
    line = {
        "source": "a",
        "library_version": " 33.4.8-jre ",
        "library_versions": {"1.0": "r09", "v2.0": "11.0-rc1"},
    }
    path = write_lines(tmp_path / "p.jsonl", json.dumps(line))

    specs, problems = read_projects_file(path)

    assert problems == []
    assert specs[0].library_version == "33.4.8-jre"
    assert specs[0].library_versions == {"1.0": "r09", "v2.0": "11.0-rc1"}


def test_read_projects_file_source_not_string(tmp_path):
    path = write_lines(tmp_path / "p.jsonl", json.dumps({"source": 42}))

    _, problems = read_projects_file(path)

    assert 'p.jsonl:1: Invalid "source" 42: it must be a string' in problems[0]


def test_read_projects_file_skips_line_not_utf8(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"source": "a"}\n{"source": "caf\xe9"}\n{"source": "b"}\n')

    specs, problems = read_projects_file(path)

    assert [spec.source for spec in specs] == ["a", "b"]
    assert [spec.line_number for spec in specs] == [1, 3]
    assert len(problems) == 1
    assert f"{path}:2: Invalid UTF-8" in problems[0]


def test_read_projects_file_accepts_byte_order_mark(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"source": "a"}\n')

    specs, problems = read_projects_file(path)

    assert problems == []
    assert [spec.source for spec in specs] == ["a"]


def test_read_projects_file_keeps_line_separator_in_string(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"source": "a\u2028b"}\n{"source": "c"}\n', encoding="utf-8")

    specs, problems = read_projects_file(path)

    assert problems == []
    assert [spec.line_number for spec in specs] == [1, 2]


def test_read_projects_file_skips_blank_and_comment(tmp_path):
    path = write_lines(
        tmp_path / "p.jsonl", "", "# dependents of Guava", json.dumps({"source": "a"})
    )

    specs, problems = read_projects_file(path)

    assert len(specs) == 1
    assert specs[0].line_number == 3
    assert problems == []


def test_read_projects_file_missing_file(tmp_path):
    with pytest.raises(ProjectsFileError, match="missing.jsonl"):
        read_projects_file(tmp_path / "missing.jsonl")


def test_fallback_version_prefers_per_version():
    spec = ProjectSpec(
        source="a",
        line_number=1,
        library_version="18.0",
        library_versions={"1.1": "19.0"},
    )

    assert spec.fallback_version("1.1") == ("19.0", "library_versions['1.1']")
    assert spec.fallback_version("1.0") == ("18.0", "library_version")


@pytest.mark.parametrize(
    ("source", "name"),
    [
        ("https://github.com/acme/guava-user.git", "guava-user"),
        ("https://github.com/acme/guava-user/", "guava-user"),
        ("git@github.com:acme/tool.git", "tool"),
        ("/srv/repos/local-project", "local-project"),
    ],
)
def test_project_name_from_source(source, name):
    assert project_name(source) == name


@pytest.mark.django_db
def test_get_project_reuses_existing():
    first = get_project(source="https://h/a.git")

    second = get_project(source="https://h/a.git")

    assert first.pk == second.pk


# select_tags


def test_select_tags_default_release_tags_in_order():
    tags = ["v1.10", "v1.2", "nightly-2020", "v1.2-rc1", "latest"]

    selected, missing = select_tags(tags, versions=None)

    assert selected == ["v1.2-rc1", "v1.2", "v1.10"]
    assert missing == []


@pytest.mark.parametrize("tag", ["1.0", "v1.0", "guava-user-1.0"])
def test_select_tags_matches_version_forms(tag):
    selected, _ = select_tags([tag, "v2.0"], versions=["1.0"])

    assert selected == [tag]


def test_select_tags_reports_missing_version():
    selected, missing = select_tags(["v1.0"], versions=["1.0", "3.0"])

    assert selected == ["v1.0"]
    assert missing == ["3.0"]


def test_select_tags_keeps_requested_order():
    selected, _ = select_tags(["v1.0", "v2.0"], versions=["2.0", "1.0"])

    assert selected == ["v2.0", "v1.0"]


# prepare_version


@pytest.fixture
def project_repository(tmp_path):
    return guava_user(
        tmp_path / "guava-user",
        tags={"v1.0": "18.0", "v1.1": "19.0", "v1.2": None},
    )


@pytest.fixture
def project(project_repository, db):
    return get_project(source=str(project_repository.path))


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_records_prepared(project, storage_dir):
    from oreo.extract import EXTRACTOR_VERSION

    outcome = prepare_version(project=project, tag="v1.0", library=GUAVA)

    version = ProjectVersion.objects.get(pk=outcome.version.pk)
    assert version.status == ProjectVersion.Status.PREPARED
    assert version.declared_version == "18.0"
    assert "pom.xml" in version.declared_version_source
    assert version.methods_count > 0
    assert version.files_count == 1
    assert version.extractor_version == EXTRACTOR_VERSION
    assert len(version.commit) == 40


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_stores_files_under_ids(project, storage_dir):
    outcome = prepare_version(project=project, tag="v1.0", library=GUAVA)

    version = outcome.version
    prefix = f"versions/{project.pk}/{version.pk}"
    assert version.metric_file == f"{prefix}/blocks.metrics"
    assert version.sources_file == f"{prefix}/sources.zip"
    assert default_storage.exists(version.metric_file)
    assert default_storage.exists(version.sources_file)


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_records_source_files(project, storage_dir):
    outcome = prepare_version(project=project, tag="v1.0", library=GUAVA)

    [source_file] = SourceFile.objects.filter(project_version=outcome.version)
    assert source_file.path == "src/main/java/java/util/Objects.java"
    assert source_file.methods_count == outcome.version.methods_count


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_skips_without_library(project, storage_dir):
    outcome = prepare_version(project=project, tag="v1.2", library=GUAVA)

    assert outcome.version.status == ProjectVersion.Status.SKIPPED
    assert GUAVA in outcome.version.status_reason
    assert outcome.version.metric_file == ""


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_rerun_reuses(project, storage_dir):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA)

    second = prepare_version(project=project, tag="v1.0", library=GUAVA)

    assert second.reused
    assert second.version.pk == first.version.pk
    assert second.version.prepared_at == first.version.prepared_at


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_rerun_reuses_skipped(project, storage_dir):
    prepare_version(project=project, tag="v1.2", library=GUAVA)

    second = prepare_version(project=project, tag="v1.2", library=GUAVA)

    assert second.reused


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_reextract_redoes_older(project, storage_dir):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA)
    ProjectVersion.objects.filter(pk=first.version.pk).update(extractor_version="0")

    again = prepare_version(project=project, tag="v1.0", library=GUAVA, reextract=True)

    assert not again.reused
    assert again.version.extractor_version != "0"


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_reextract_keeps_current(project, storage_dir):
    prepare_version(project=project, tag="v1.0", library=GUAVA)

    again = prepare_version(project=project, tag="v1.0", library=GUAVA, reextract=True)

    assert again.reused


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_without_reextract_keeps_older(project, storage_dir):
    first = prepare_version(project=project, tag="v1.0", library=GUAVA)
    ProjectVersion.objects.filter(pk=first.version.pk).update(extractor_version="0")

    again = prepare_version(project=project, tag="v1.0", library=GUAVA)

    assert again.reused


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_retries_error(project, storage_dir):
    ProjectVersion.objects.create(
        project=project,
        tag="v1.0",
        library=GUAVA,
        status=ProjectVersion.Status.ERROR,
        status_reason="earlier failure",
    )

    outcome = prepare_version(project=project, tag="v1.0", library=GUAVA)

    assert outcome.version.status == ProjectVersion.Status.PREPARED


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_missing_tag_records_error(project, storage_dir):
    with pytest.raises(GitError, match="'v9.0' not found"):
        prepare_version(project=project, tag="v9.0", library=GUAVA)

    version = ProjectVersion.objects.get(project=project, tag="v9.0")
    assert version.status == ProjectVersion.Status.ERROR
    assert "v9.0" in version.status_reason


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_unresolved_uses_fallback(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "child", tags={"v1.0": "18.0"})
    repository.write("pom.xml", UNRESOLVED_POM)
    repository.commit()
    repository.tag("v2.0")
    project = get_project(source=str(repository.path))

    outcome = prepare_version(
        project=project,
        tag="v2.0",
        library=GUAVA,
        fallback_version="20.0",
        fallback_source="projects file, line 1, library_version",
    )

    assert outcome.version.declared_version == "20.0"
    assert outcome.version.declared_version_source.startswith("projects file")


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_unresolved_without_fallback(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "child", tags={"v1.0": "18.0"})
    repository.write("pom.xml", UNRESOLVED_POM)
    repository.commit()
    repository.tag("v2.0")
    project = get_project(source=str(repository.path))

    with pytest.raises(PreparationError, match="library_version"):
        prepare_version(project=project, tag="v2.0", library=GUAVA)

    version = ProjectVersion.objects.get(project=project, tag="v2.0")
    assert version.status == ProjectVersion.Status.ERROR


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_records_non_utf8_file(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "odd", tags={"v1.0": "18.0"})
    repository.write(
        b"src/Caf\xe9.java", jdk_source("java.base/java/util/Objects.java")
    )
    repository.write("src/Latin.java", b'class Latin { String s() { return "\xe9"; } }')
    repository.commit()
    repository.tag("v1.1")
    project = get_project(source=str(repository.path))

    outcome = prepare_version(project=project, tag="v1.1", library=GUAVA)

    errors = dict(
        SourceFile.objects.filter(project_version=outcome.version).values_list(
            "path", "error"
        )
    )
    assert "not valid UTF-8" in errors["src/Caf\\xe9.java"]
    assert "ISO-8859-1" in errors["src/Latin.java"]
    assert outcome.version.extraction_errors >= 2


@needs_preparation
@pytest.mark.django_db
def test_prepare_version_reuses_given_clone(project, project_repository, storage_dir):
    clone = clone_or_fetch(str(project_repository.path))

    outcome = prepare_version(
        project=project, tag="v1.1", library=GUAVA, repo_dir=clone
    )

    assert outcome.version.declared_version == "19.0"


# prepare_project


@needs_preparation
@pytest.mark.django_db
def test_prepare_project_prepares_every_release(project_repository, storage_dir):
    spec = ProjectSpec(source=str(project_repository.path), line_number=1)

    outcome = prepare_project(spec=spec, library=GUAVA)

    assert (outcome.prepared, outcome.skipped, outcome.failed) == (2, 1, 0)


@needs_preparation
@pytest.mark.django_db
def test_prepare_project_reports_line_per_version(project_repository, storage_dir):
    spec = ProjectSpec(source=str(project_repository.path), line_number=1)
    lines = []

    prepare_project(spec=spec, library=GUAVA, report=lines.append)

    assert lines[0].startswith("[1/3] guava-user v1.0: ")
    assert "methods" in lines[0]
    assert "syntax errors" in lines[0]
    assert lines[2].startswith("[3/3] guava-user v1.2: skipped")


@needs_preparation
@pytest.mark.django_db
def test_prepare_project_records_missing_version(project_repository, storage_dir):
    spec = ProjectSpec(
        source=str(project_repository.path), line_number=1, versions=["1.0", "4.0"]
    )

    outcome = prepare_project(spec=spec, library=GUAVA)

    assert outcome.prepared == 1
    assert outcome.failed == 1
    missing = ProjectVersion.objects.get(tag="4.0")
    assert "No tag for version '4.0'" in missing.status_reason


@needs_preparation
@pytest.mark.django_db
def test_prepare_project_failing_tag_continues(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "mixed", tags={"v1.0": "18.0"})
    repository.write("pom.xml", UNRESOLVED_POM)
    repository.commit()
    repository.tag("v2.0")
    repository.write("README.md", "three")
    repository.commit()
    repository.git("checkout", "--quiet", "v1.0", "--", "pom.xml")
    repository.commit()
    repository.tag("v3.0")
    spec = ProjectSpec(source=str(repository.path), line_number=1)

    outcome = prepare_project(spec=spec, library=GUAVA)

    assert (outcome.prepared, outcome.failed) == (2, 1)
    project = Project.objects.get(source=str(repository.path))
    assert project.last_error.startswith("v2.0: ")


@pytest.mark.django_db
def test_prepare_project_bad_source_records_error(tmp_path):
    spec = ProjectSpec(source=str(tmp_path / "vanished"), line_number=1)

    outcome = prepare_project(spec=spec, library=GUAVA)

    assert not outcome.read
    project = Project.objects.get(source=spec.source)
    assert "not found" in project.last_error


def test_select_tags_uses_configured_skip_pattern(settings):
    settings.RELEASE_TAG_SKIP_PATTERN = r"^legacy-"

    tags, _ = select_tags(["v1.0", "legacy-2.0", "nightly-3.0"], versions=None)

    assert tags == ["v1.0", "nightly-3.0"]
