"""Tests of the demo corpus generator on real git repositories in a temporary folder."""

import importlib.util
import subprocess
from pathlib import Path

import pytest
import tree_sitter_java
from defusedxml import ElementTree
from tree_sitter import Language, Parser

from demo.corpus import (
    FINGERPRINT_KEY,
    CorpusError,
    apply_release,
    build_corpus,
    release_snapshots,
    run_git,
)
from demo.specs import CORPUS_PROJECTS, USER_APP, Edit, Release

ALL_PROJECTS = (*CORPUS_PROJECTS, USER_APP)
POM_NAMESPACE = {"m": "http://maven.apache.org/POM/4.0.0"}
# Guava 16 calls that the corpus rewrites for Guava 21.
REMOVED_APIS = (
    "Objects.toStringHelper(",
    "Objects.firstNonNull(",
    "new Stopwatch(",
    "Iterators.emptyIterator(",
    "Files.toString(",
)
# Oreo compares only blocks of at least this many tokens.
MIN_DETECTION_TOKENS = 15
JAVA = Parser(Language(tree_sitter_java.language()))

RELEASES = [
    pytest.param(spec, release, id=f"{spec.name}@{release.tag}")
    for spec in ALL_PROJECTS
    for release in spec.releases
]


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("demo") / "repos"
    build_corpus(dest=dest)
    return dest


def git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repository, capture_output=True, text=True, check=True
    ).stdout


def tag_commits(repository: Path) -> dict[str, str]:
    lines = git(repository, "show-ref", "--tags").splitlines()
    return {ref.removeprefix("refs/tags/"): sha for sha, ref in map(str.split, lines)}


def declared_guava_version(repository: Path, tag: str) -> str:
    """Read the Guava version in the root pom.xml at `tag`, resolving properties."""
    root = ElementTree.fromstring(git(repository, "show", f"{tag}:pom.xml"))
    for dependency in root.iterfind(".//m:dependency", POM_NAMESPACE):
        if dependency.findtext("m:artifactId", namespaces=POM_NAMESPACE) == "guava":
            version = dependency.findtext("m:version", namespaces=POM_NAMESPACE)
            break
    else:
        raise AssertionError(f"no Guava dependency in pom.xml at {tag}")
    if version.startswith("${"):
        name = version.removeprefix("${").removesuffix("}")
        version = root.findtext(f"m:properties/m:{name}", namespaces=POM_NAMESPACE)
    return version


def java_files_at(repository: Path, tag: str) -> list[str]:
    paths = git(repository, "ls-tree", "-r", "--name-only", tag).splitlines()
    return [path for path in paths if path.endswith(".java")]


@pytest.mark.parametrize("spec", ALL_PROJECTS, ids=lambda spec: spec.name)
def test_build_creates_git_repository(repos, spec):
    assert (repos / spec.name / ".git").is_dir()


@pytest.mark.parametrize("spec", ALL_PROJECTS, ids=lambda spec: spec.name)
def test_build_tags_every_release(repos, spec):
    expected = sorted(release.tag for release in spec.releases)

    assert sorted(tag_commits(repos / spec.name)) == expected


@pytest.mark.parametrize("spec", ALL_PROJECTS, ids=lambda spec: spec.name)
def test_build_leaves_clean_worktree(repos, spec):
    assert git(repos / spec.name, "status", "--porcelain") == ""


@pytest.mark.parametrize(("spec", "release"), RELEASES)
def test_pom_declares_release_guava_version(repos, spec, release):
    version = declared_guava_version(repos / spec.name, release.tag)

    assert version == release.guava_version


def test_parent_pom_module_inherits_guava_version(repos):
    repository = repos / "order-pipeline"
    module = ElementTree.fromstring(
        git(repository, "show", "v2.0:pipeline-core/pom.xml")
    )
    dependency = module.find("m:dependencies/m:dependency", POM_NAMESPACE)

    assert module.findtext("m:parent/m:version", namespaces=POM_NAMESPACE) == "2.0"
    assert dependency.findtext("m:artifactId", namespaces=POM_NAMESPACE) == "guava"
    assert dependency.find("m:version", POM_NAMESPACE) is None


def test_corpus_covers_every_pom_style():
    styles = {spec.pom_style for spec in CORPUS_PROJECTS}

    assert len(styles) == 3


@pytest.mark.parametrize(("spec", "release"), RELEASES)
def test_java_files_parse_without_syntax_errors(repos, spec, release):
    repository = repos / spec.name
    paths = java_files_at(repository, release.tag)
    failed = [
        path
        for path in paths
        if JAVA.parse(
            git(repository, "show", f"{release.tag}:{path}").encode()
        ).root_node.has_error
    ]

    assert paths
    assert failed == []


@pytest.mark.parametrize("spec", CORPUS_PROJECTS, ids=lambda spec: spec.name)
def test_guava_21_release_rewrites_guava_18_calls(repos, spec):
    repository = repos / spec.name
    old_tag = [r.tag for r in spec.releases if r.guava_version == "16.0"][-1]
    new_tag = next(r.tag for r in spec.releases if r.guava_version == "21.0")
    diff = git(repository, "diff", old_tag, new_tag, "--", "*.java").splitlines()
    removed = [
        line
        for line in diff
        if line.startswith("-") and any(f" {api}" in line for api in REMOVED_APIS)
    ]

    assert removed, f"{spec.name}: no Guava 16 call changed from {old_tag} to {new_tag}"


@pytest.mark.parametrize("spec", CORPUS_PROJECTS, ids=lambda spec: spec.name)
def test_guava_21_release_drops_removed_apis(repos, spec):
    repository = repos / spec.name
    new_tag = next(r.tag for r in spec.releases if r.guava_version == "21.0")
    sources = "\n".join(
        git(repository, "show", f"{new_tag}:{path}")
        for path in java_files_at(repository, new_tag)
    )

    for api in REMOVED_APIS:
        assert f" {api}" not in sources, f"{api} left in {spec.name}@{new_tag}"


def test_user_app_uses_guava_18_apis(repos):
    repository = repos / USER_APP.name
    sources = "\n".join(
        git(repository, "show", f"v0.9:{path}")
        for path in java_files_at(repository, "v0.9")
    )

    assert "Objects.toStringHelper(this)" in sources
    assert "new Stopwatch().start()" in sources
    assert "Objects.firstNonNull(" in sources
    assert "Iterators.emptyIterator()" in sources
    assert "Files.toString(" in sources


def test_second_build_reuses_repositories(repos):
    before = {spec.name: tag_commits(repos / spec.name) for spec in ALL_PROJECTS}

    built = build_corpus(dest=repos)

    assert [repository.created for repository in built] == [False] * len(built)
    assert {spec.name: tag_commits(repos / spec.name) for spec in ALL_PROJECTS} == (
        before
    )


def test_rebuild_recreates_identical_commits(repos, tmp_path):
    before = {spec.name: tag_commits(repos / spec.name) for spec in ALL_PROJECTS}

    built = build_corpus(dest=tmp_path / "repos", rebuild=True)
    after = {
        spec.name: tag_commits(tmp_path / "repos" / spec.name) for spec in ALL_PROJECTS
    }

    assert [repository.created for repository in built] == [True] * len(built)
    assert after == before


def test_build_replaces_repository_with_stale_fingerprint(tmp_path):
    dest = tmp_path / "repos"
    build_corpus(dest=dest)
    run_git(["config", FINGERPRINT_KEY, "stale"], cwd=dest / USER_APP.name)

    built = {repository.name: repository for repository in build_corpus(dest=dest)}

    assert built[USER_APP.name].created is True
    assert built[CORPUS_PROJECTS[0].name].created is False


def test_build_replaces_repository_missing_a_tag(tmp_path):
    dest = tmp_path / "repos"
    build_corpus(dest=dest)
    run_git(["tag", "--delete", "v0.9"], cwd=dest / USER_APP.name)

    built = {repository.name: repository for repository in build_corpus(dest=dest)}

    assert built[USER_APP.name].created is True
    assert "v0.9" in tag_commits(dest / USER_APP.name)


def test_build_replaces_folder_that_is_no_repository(tmp_path):
    dest = tmp_path / "repos"
    (dest / USER_APP.name).mkdir(parents=True)
    (dest / USER_APP.name / "leftover.txt").write_text("partial build")

    build_corpus(dest=dest)

    assert not (dest / USER_APP.name / "leftover.txt").exists()
    assert "v0.9" in tag_commits(dest / USER_APP.name)


def test_apply_release_rejects_edit_of_absent_text():
    release = Release(
        tag="v9.9",
        guava_version="21.0",
        date="2020-01-01T00:00:00+00:00",
        edits=(Edit(path=next(iter(USER_APP.files)), old="no such text", new="x"),),
    )

    with pytest.raises(CorpusError, match="'no such text' not found"):
        apply_release(spec=USER_APP, files=USER_APP.files, release=release)


def test_apply_release_rejects_edit_of_missing_file():
    release = Release(
        tag="v9.9",
        guava_version="21.0",
        date="2020-01-01T00:00:00+00:00",
        edits=(Edit(path="src/Missing.java", old="a", new="b"),),
    )

    with pytest.raises(CorpusError, match="missing file src/Missing.java"):
        apply_release(spec=USER_APP, files=USER_APP.files, release=release)


@pytest.mark.parametrize("spec", ALL_PROJECTS, ids=lambda spec: spec.name)
def test_release_snapshots_are_deterministic(spec):
    assert release_snapshots(spec) == release_snapshots(spec)


@pytest.mark.skipif(
    importlib.util.find_spec("oreo.extract") is None, reason="oreo.extract is missing"
)
@pytest.mark.parametrize(("spec", "release"), RELEASES)
def test_oreo_extracts_blocks_without_syntax_errors(spec, release):
    from oreo.extract import extract_source

    snapshot = release_snapshots(spec)[spec.releases.index(release)]
    java_files = {p: t for p, t in snapshot.files.items() if p.endswith(".java")}

    for path, text in java_files.items():
        extraction = extract_source(text.encode(), path=path)

        assert extraction.blocks, f"no blocks in {path}"
        assert extraction.syntax_errors == 0, f"syntax errors in {path}"
        assert extraction.error == "", f"{path}: {extraction.error}"


@pytest.mark.skipif(
    importlib.util.find_spec("oreo.extract") is None, reason="oreo.extract is missing"
)
@pytest.mark.parametrize(("spec", "release"), RELEASES)
def test_oreo_blocks_reach_detection_size(spec, release):
    from oreo.extract import extract_source

    snapshot = release_snapshots(spec)[spec.releases.index(release)]
    java_files = {p: t for p, t in snapshot.files.items() if p.endswith(".java")}
    large = [
        block
        for path, text in java_files.items()
        for block in extract_source(text.encode(), path=path).blocks
        if block.tokens >= MIN_DETECTION_TOKENS
    ]

    assert len(large) >= 2 * len(java_files)
