import pytest

from jobs.selectors import same_release, select_comparisons
from projects.models import Project, ProjectVersion

pytestmark = pytest.mark.django_db

GUAVA = "com.google.guava:guava"


def make_project(name: str, versions: list[tuple[str, str]], **version_fields):
    project = Project.objects.create(
        source=f"https://example.com/{name}.git", name=name
    )
    for tag, declared in versions:
        ProjectVersion.objects.create(
            project=project,
            tag=tag,
            library=GUAVA,
            declared_version=declared,
            **version_fields,
        )
    return project


def tags(comparison):
    return comparison.clone_version.tag, comparison.upgraded_version.tag


def test_comparison_uses_latest_source_and_earliest_target():
    make_project(
        "lib",
        [("v2.0", "21.0"), ("v1.0", "18.0"), ("v1.10", "18.0"), ("v3.0", "21.0")],
    )

    [comparison] = select_comparisons(
        library=GUAVA, source_version="18.0", target_version="21.0"
    )

    assert tags(comparison) == ("v1.10", "v2.0")


def test_comparison_needs_target_after_source():
    make_project("downgrader", [("v1.0", "21.0"), ("v2.0", "18.0")])

    comparisons = select_comparisons(
        library=GUAVA, source_version="18.0", target_version="21.0"
    )

    assert comparisons == []


def test_comparison_matches_flavoured_versions():
    make_project("flavoured", [("v1.0", "23.0-android"), ("v2.0", "28.0-jre")])

    [comparison] = select_comparisons(
        library=GUAVA, source_version="23.0", target_version="28.0-android"
    )

    assert tags(comparison) == ("v1.0", "v2.0")


def test_comparison_ignores_skipped_and_other_libraries():
    make_project("skipped", [("v1.0", "18.0"), ("v2.0", "21.0")], status="SKIPPED")
    project = make_project("mixed", [("v1.0", "18.0")])
    ProjectVersion.objects.create(
        project=project, tag="v2.0", library="org.other:lib", declared_version="21.0"
    )

    comparisons = select_comparisons(
        library=GUAVA, source_version="18.0", target_version="21.0"
    )

    assert comparisons == []


def test_comparisons_cover_every_matching_project_in_name_order():
    for name in ("zeta", "alpha", "mid"):
        make_project(name, [("1.0", "18.0"), ("1.1", "21.0")])
    make_project("unrelated", [("1.0", "11.0"), ("1.1", "12.0")])

    comparisons = select_comparisons(
        library=GUAVA, source_version="18.0", target_version="21.0"
    )

    assert [c.project.name for c in comparisons] == ["alpha", "mid", "zeta"]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("23.0", "23.0-jre", True),
        ("23.0-android", "23.0-jre", True),
        ("23.0", "23.0.0", True),
        ("23.0", "23.1", False),
        ("r09", "9.0", False),
    ],
)
def test_same_release(first, second, expected):
    assert same_release(first, second) is expected


def test_comparison_orders_tags_with_configured_pattern(settings):
    settings.RELEASE_TAG_SKIP_PATTERN = r"^never$"
    make_project("builds", [("build-2.0", "21.0"), ("build-1.0", "18.0")])

    [comparison] = select_comparisons(
        library=GUAVA, source_version="18.0", target_version="21.0"
    )

    assert tags(comparison) == ("build-1.0", "build-2.0")
