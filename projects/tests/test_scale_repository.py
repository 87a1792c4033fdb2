"""Check the corpus benchmark's repository generator on its small size, and
prepare its multi-module projects with preparedata."""

import io
import json
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.corpus.build_repos import SMALL, build_corpus
from projects.models import ProjectVersion
from projects.tests.test_services import needs_preparation
from versions.tags import version_from_tag


def git(repository: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", *arguments], cwd=repository, capture_output=True, text=True, check=True
    )
    return completed.stdout


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    built = build_corpus(dest=tmp_path_factory.mktemp("corpus"), size=SMALL)
    return {repository.name: repository for repository in built}


def changed_java_files(repository: Path, old: str, new: str) -> list[str]:
    output = git(repository, "diff", "--name-only", "-M", old, new, "--", "*.java")
    return output.split()


def test_small_corpus_builds_three_repositories(corpus):
    assert sorted(corpus) == ["atlas", "borealis", "client"]


def test_small_corpus_file_counts(corpus):
    assert corpus["atlas"].java_files == SMALL.atlas_files
    assert corpus["borealis"].java_files == SMALL.borealis_files
    assert corpus["client"].java_files == SMALL.client_files


def test_atlas_release_tags(corpus):
    atlas = corpus["atlas"]
    tags = git(atlas.path, "tag", "--list").split()

    assert sorted(tags) == sorted(atlas.tags)
    assert len(atlas.release_tags) == SMALL.atlas_releases
    assert atlas.release_tags[0] == "v1.0.0"


def test_other_tags_are_not_releases(corpus):
    others = [
        tag
        for repository in corpus.values()
        for tag in repository.tags
        if tag not in repository.release_tags
    ]

    assert others
    assert [tag for tag in others if version_from_tag(tag)] == []


def test_atlas_root_pom_aggregates_modules(corpus):
    root = (corpus["atlas"].path / "pom.xml").read_text()

    assert "<packaging>pom</packaging>" in root
    assert "<module>atlas-parent</module>" in root
    assert "<module>extras</module>" in root
    assert "<guava.version>28.2-jre</guava.version>" in root


def test_atlas_nested_module_pom_has_relative_parent(corpus):
    module = (corpus["atlas"].path / "extras" / "atlas-net" / "pom.xml").read_text()

    assert "<relativePath>../../atlas-parent/pom.xml</relativePath>" in module
    assert "<version>${guava.version}</version>" in module


def test_atlas_module_pom_leaves_version_to_parent(corpus):
    module = (corpus["atlas"].path / "atlas-util" / "pom.xml").read_text()
    parent = (corpus["atlas"].path / "atlas-parent" / "pom.xml").read_text()

    assert "<artifactId>guava</artifactId>\n    </dependency>" in module
    assert "<dependencyManagement>" in parent
    assert "<version>${guava.version}</version>" in parent


def test_release_changes_few_files(corpus):
    atlas = corpus["atlas"]
    first, second = atlas.release_tags[:2]

    changed = changed_java_files(atlas.path, first, second)

    assert 0 < len(changed) <= SMALL.atlas_files * 0.1


def test_guava_migration_between_18_and_21(corpus):
    atlas = corpus["atlas"]
    by_version = dict(zip(atlas.guava_versions, atlas.release_tags, strict=True))

    diff = git(atlas.path, "diff", by_version["18.0"], by_version["21.0"])

    assert "+        return MoreObjects.toStringHelper(this)" in diff
    assert "-        return Objects.toStringHelper(this)" in diff
    assert "MoreExecutors.directExecutor()" in diff


def test_client_copies_use_guava_18(corpus):
    client = corpus["client"].path

    uses = git(client, "grep", "-l", "import com.google.common.base.Objects;")
    pom = (client / "pom.xml").read_text()

    assert len(uses.split()) >= 2
    assert "<guava.version>18.0</guava.version>" in pom


def test_build_is_deterministic(corpus, tmp_path):
    rebuilt = {r.name: r for r in build_corpus(dest=tmp_path, size=SMALL)}

    for name, repository in corpus.items():
        expected = git(repository.path, "rev-parse", "HEAD")
        assert git(rebuilt[name].path, "rev-parse", "HEAD") == expected, name


def test_build_reuses_up_to_date_repositories(corpus):
    atlas = corpus["atlas"]

    again = {r.name: r for r in build_corpus(dest=atlas.path.parent, size=SMALL)}

    assert again["atlas"].created is False


def run_preparedata(projects_file: Path) -> str:
    stdout = io.StringIO()
    call_command(
        "preparedata",
        "--projects",
        str(projects_file),
        stdout=stdout,
        stderr=io.StringIO(),
    )
    return stdout.getvalue()


@pytest.fixture
def corpus_projects_file(corpus, tmp_path):
    path = tmp_path / "projects.jsonl"
    lines = [
        json.dumps({"source": str(corpus[name].path)}) for name in ("atlas", "borealis")
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@needs_preparation
@pytest.mark.django_db
def test_preparedata_reads_declared_versions(corpus, corpus_projects_file, storage_dir):
    run_preparedata(corpus_projects_file)

    for name in ("atlas", "borealis"):
        repository = corpus[name]
        expected = dict(
            zip(repository.release_tags, repository.guava_versions, strict=True)
        )
        declared = dict(
            ProjectVersion.objects.filter(project__name=name).values_list(
                "tag", "declared_version"
            )
        )
        assert declared == expected, name


@needs_preparation
@pytest.mark.django_db
def test_preparedata_prepares_every_release(corpus, corpus_projects_file, storage_dir):
    stdout = run_preparedata(corpus_projects_file)

    statuses = set(ProjectVersion.objects.values_list("status", flat=True))
    releases = SMALL.atlas_releases + SMALL.borealis_releases
    assert statuses == {ProjectVersion.Status.PREPARED}
    assert f"{releases} prepared, 0 skipped, 0 already done, 0 failed" in stdout


@needs_preparation
@pytest.mark.django_db
def test_preparedata_second_run_skips_everything(
    corpus, corpus_projects_file, storage_dir
):
    run_preparedata(corpus_projects_file)

    stdout = run_preparedata(corpus_projects_file)

    releases = SMALL.atlas_releases + SMALL.borealis_releases
    assert f"0 prepared, 0 skipped, {releases} already done, 0 failed" in stdout
