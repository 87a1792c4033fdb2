import os
import re
import subprocess

import pytest

from versions.tags import DEFAULT_SKIP_PATTERN, order_tags, version_from_tag


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("1.2.3", "1.2.3"),
        ("v1.2.3", "1.2.3"),
        ("V1.2.3", "1.2.3"),
        ("name-1.2.3", "1.2.3"),
        ("name-parent-1.2.3", "1.2.3"),
        ("release-1.2.3", "1.2.3"),
        ("rel/1.2.3", "1.2.3"),
        ("release/v1.2.3", "1.2.3"),
        ("refs/tags/v2.0", "2.0"),
        ("guava-parent-r09", "r09"),
        ("r03", "r03"),
        ("v33.4.8-jre", "33.4.8-jre"),
        ("v2.0-rc1", "2.0-rc1"),
        ("hibernate-5.4.0.Final", "5.4.0.Final"),
        ("log4j-1.2.17", "1.2.17"),
        ("release_1_2_3", "1.2.3"),
        ("testng-6.9.10", "6.9.10"),
        ("latest-1.0", "1.0"),
        ("v1", "1"),
    ],
)
def test_version_from_tag_release(tag, version):
    assert version_from_tag(tag) == version


@pytest.mark.parametrize(
    "tag",
    [
        "1.0-SNAPSHOT",
        "nightly-2020.01",
        "test-1.0",
        "1.0-test",
        "wip/2.0",
        "1.0-dev",
        "build-55",
        "ci-123",
        "tmp_1.0",
        "foo",
        "before-refactor",
        "1.0..1",
        "v1.0-",
        "",
        "a_" * 200 + "1.0",
    ],
)
def test_version_from_tag_not_release(tag):
    assert version_from_tag(tag) is None


def test_version_from_tag_custom_skip_pattern():
    assert version_from_tag("v2.0-rc1", skip_pattern=r"(?i)rc\d") is None
    assert version_from_tag("1.0-SNAPSHOT", skip_pattern=r"^$") == "1.0-SNAPSHOT"


def test_version_from_tag_invalid_skip_pattern():
    with pytest.raises(re.error):
        version_from_tag("1.0", skip_pattern="(")


def test_default_skip_pattern_whole_words():
    assert re.search(DEFAULT_SKIP_PATTERN, "testng-6.0") is None
    assert re.search(DEFAULT_SKIP_PATTERN, "devops-1.0") is None
    assert re.search(DEFAULT_SKIP_PATTERN, "1.0-SNAPSHOT") is not None


def test_order_tags_by_version_not_name():
    tags = ["v10.0", "r09", "v11.0-rc1", "11.0", "v9.0", "nightly", "v10.0.1"]
    assert order_tags(tags) == ["r09", "v9.0", "v10.0", "v10.0.1", "v11.0-rc1", "11.0"]


def test_order_tags_equal_versions_by_name():
    assert order_tags(["v1.0", "1.0.0", "1.0"]) == ["1.0", "1.0.0", "v1.0"]


def test_order_tags_flavours_side_by_side():
    tags = ["v33.4.8-jre", "v23.0-jre", "v33.4.8-android", "v23.0-android"]
    assert order_tags(tags) == [
        "v23.0-android",
        "v23.0-jre",
        "v33.4.8-android",
        "v33.4.8-jre",
    ]


def test_order_tags_passes_skip_pattern():
    assert order_tags(["1.0", "2.0-rc1"], skip_pattern=r"rc") == ["1.0"]


def git(repository, *args):
    subprocess.run(
        ["git", "-C", str(repository), *args],
        check=True,
        capture_output=True,
        env={
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_AUTHOR_NAME": "Test",
            "GIT_AUTHOR_EMAIL": "test@example.com",
            "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.com",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
        },
    )


def test_order_tags_real_repository_not_by_date(tmp_path):
    git(tmp_path, "init", "-q")
    # Tag 2.0 first and 1.10 last, so date order and name order both differ
    # from version order.
    for number, tag in enumerate(["v2.0", "v1.9", "nightly-5", "v1.10"]):
        (tmp_path / "file.txt").write_text(str(number))
        git(tmp_path, "add", "file.txt")
        git(tmp_path, "commit", "-q", "-m", f"Change {number}")
        git(tmp_path, "tag", tag)

    listed = subprocess.run(
        ["git", "-C", str(tmp_path), "tag", "--list"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()

    assert order_tags(listed) == ["v1.9", "v1.10", "v2.0"]
