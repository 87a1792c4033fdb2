import random
import shutil
import subprocess
from pathlib import Path

import pytest

from versions.maven import InvalidVersion, MavenVersion, parse_version, sort_versions

# Guava releases from Maven Central, lowest first as Maven orders them.
# Versions that differ only by flavour sit next to each other, plain first,
# then android, then jre.
GUAVA_RELEASES = [
    "r03", "r05", "r06", "r07", "r08", "r09",
    "10.0-rc1", "10.0-rc2", "10.0-rc3", "10.0", "10.0.1",
    "11.0-rc1", "11.0", "11.0.1", "11.0.2",
    "12.0-rc1", "12.0-rc2", "12.0", "12.0.1",
    "13.0-rc1", "13.0-rc2", "13.0", "13.0.1",
    "14.0-rc1", "14.0-rc2", "14.0-rc3", "14.0", "14.0.1",
    "15.0-rc1", "15.0", "16.0-rc1", "16.0", "16.0.1",
    "17.0-rc1", "17.0-rc2", "17.0", "18.0-rc1", "18.0-rc2", "18.0",
    "19.0-rc1", "19.0-rc2", "19.0-rc3", "19.0", "20.0-rc1", "20.0",
    "21.0-rc1", "21.0-rc2", "21.0",
    "22.0-rc1", "22.0-rc1-android", "22.0", "22.0-android",
    "23.0-rc1", "23.0", "23.0-android",
    "23.1-android", "23.1-jre", "23.6-android", "23.6-jre",
    "23.6.1-android", "23.6.1-jre", "24.0-android", "24.0-jre",
    "24.1-jre", "24.1.1-jre", "25.1-jre", "27.0.1-jre", "28.2-android",
    "28.2-jre", "30.1.1-jre", "31.1-jre", "32.0.0-jre", "32.1.3-jre",
    "33.0.0-jre", "33.4.0-android", "33.4.0-jre",
    "33.4.8-android", "33.4.8-jre",
]  # fmt: skip

MAVEN_ARTIFACT_JARS = [
    Path("/usr/share/java/maven3-artifact.jar"),
    Path("/usr/share/java/maven-artifact-3.x.jar"),
]


def test_sort_versions_real_guava_releases():
    shuffled = list(GUAVA_RELEASES)
    random.Random(3).shuffle(shuffled)
    assert sort_versions(shuffled) == GUAVA_RELEASES


def test_sort_versions_reversed_input():
    assert sort_versions(reversed(GUAVA_RELEASES)) == GUAVA_RELEASES


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("r03", "r09"),
        ("r09", "10.0"),
        ("10.0", "10.0.1"),
        ("10.0.1", "11.0-rc1"),
        ("11.0-rc1", "11.0"),
        ("11.0", "23.0-android"),
        ("23.0-jre", "33.4.8-jre"),
        ("9.0", "10.0"),
        ("1.0-alpha-1", "1.0-beta-1"),
        ("1.0-beta-2", "1.0-milestone-1"),
        ("1.0-milestone-1", "1.0-rc1"),
        ("1.0-rc1", "1.0-SNAPSHOT"),
        ("1.0-SNAPSHOT", "1.0"),
        ("1.0", "1.0-sp"),
        ("1.0-sp", "1.0-foo"),
        ("1.0-foo", "1.0-1"),
        ("1.0-1", "1.0.1"),
        ("1.0-rc2", "1.0-rc10"),
        ("1.0.0.RC1", "1.0.0-RC2"),
        ("5.0.0.M1", "5.0.0.RC1"),
        ("5.0.0.RC2", "5.0.0.RELEASE"),
        ("5.4.0.CR1", "5.4.0.Final"),
        ("2.9.10", "2.9.10.1"),
        ("1.0", "99999999999999999999.0"),
    ],
)
def test_parse_version_orders_pair(lower, higher):
    assert parse_version(lower) < parse_version(higher)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("1.0", "1.0.0"),
        ("1.0", "1-0"),
        ("1.0-ga", "1.0"),
        ("1.0.Final", "1.0"),
        ("5.0.0.RELEASE", "5.0.0"),
        ("1.0-cr1", "1.0-rc1"),
        ("1.0a1", "1.0-alpha-1"),
        ("1.0-M2", "1.0-milestone-2"),
        ("1.0-RC1", "1.0-rc1"),
        ("1.007", "1.7"),
    ],
)
def test_parse_version_equal_by_maven_rules(left, right):
    assert parse_version(left) == parse_version(right)
    assert hash(parse_version(left)) == hash(parse_version(right))


def test_parse_version_flavour_kept():
    assert parse_version("33.4.8-jre").flavour == "jre"
    assert parse_version("33.4.8-android").flavour == "android"
    assert parse_version("33.4.8").flavour == ""
    assert parse_version("22.0-rc1-android").flavour == "android"


def test_parse_version_flavours_same_release():
    jre = parse_version("23.0-jre")
    android = parse_version("23.0-android")
    assert jre.same_release(android)
    assert jre.compare_release(android) == 0
    assert jre.same_release(parse_version("23.0"))


def test_parse_version_flavour_tie_break():
    assert parse_version("23.0") < parse_version("23.0-android")
    assert parse_version("23.0-android") < parse_version("23.0-jre")
    assert parse_version("23.0-android") != parse_version("23.0-jre")


def test_parse_version_flavour_not_in_other_qualifiers():
    assert parse_version("7.4.1.jre8").flavour == ""
    assert parse_version("1.0-jrex").flavour == ""


def test_parse_version_str_is_original_text():
    assert str(parse_version("33.4.8-JRE")) == "33.4.8-JRE"
    assert repr(parse_version("r09")) == "MavenVersion('r09')"


def test_parse_version_canonical_form():
    assert parse_version("1.0.0-RC1").canonical == "1-rc-1"
    assert parse_version("33.4.8-jre").canonical == "33.4.8"


def test_maven_version_usable_in_sets():
    versions = {parse_version("1.0"), parse_version("1.0.0"), parse_version("1.1")}
    assert len(versions) == 2


def test_maven_version_compared_with_string():
    assert parse_version("1.0") != "1.0"
    with pytest.raises(TypeError):
        parse_version("1.0") < "1.1"  # noqa: B015


def test_sort_versions_equal_versions_fixed_order():
    assert sort_versions(["1.0.0", "1.0"]) == ["1.0", "1.0.0"]
    assert sort_versions(["1.0", "1.0.0"]) == ["1.0", "1.0.0"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "it is empty"),
        (" ", "whitespace"),
        ("1.0 ", "whitespace"),
        ("1. 0", "whitespace"),
        ("[1.0,2.0)", "version range"),
        ("${guava.version}", "unresolved property"),
        ("1..0", "single '.'"),
        ("1.0-", "single '.'"),
        ("-1.0", "single '.'"),
        ("1.0/2", "single '.'"),
        ("1" * 201, "more than 200"),
    ],
)
def test_parse_version_rejects_invalid(text, reason):
    with pytest.raises(InvalidVersion, match=reason) as raised:
        parse_version(text)
    assert "33.4.8-jre" in str(raised.value)


def test_parse_version_rejects_non_string():
    with pytest.raises(InvalidVersion, match="expected a string"):
        parse_version(None)


def test_invalid_version_is_value_error():
    assert issubclass(InvalidVersion, ValueError)


def test_sort_versions_rejects_invalid_member():
    with pytest.raises(InvalidVersion, match="'1 .0'"):
        sort_versions(["1.0", "1 .0"])


JAVA_SORTER = """
import java.nio.file.*;
import java.util.*;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class Sorter {
    public static void main(String[] args) throws Exception {
        List<String> lines = Files.readAllLines(Path.of(args[0]));
        StringBuilder out = new StringBuilder();
        for (String left : lines) {
            for (String right : lines) {
                int sign = Integer.signum(
                    new ComparableVersion(left).compareTo(new ComparableVersion(right)));
                out.append("-0+".charAt(sign + 1));
            }
            out.append('\\n');
        }
        System.out.print(out);
    }
}
"""


def random_versions(count):
    parts = ["0", "1", "2", "10", "01", "a", "b", "m", "alpha", "beta", "rc"]
    parts += ["cr", "snapshot", "ga", "final", "release", "sp", "foo", "RC", "x"]
    generator = random.Random(11)
    versions = set()
    while len(versions) < count:
        text = generator.choice(["1", "2", "10", "1.0"])
        for _ in range(generator.randint(0, 4)):
            text += generator.choice(".-") + generator.choice(parts)
        versions.add(text)
    return sorted(versions)


def test_parse_version_matches_maven_jar(tmp_path):
    java = shutil.which("java")
    jar = next((path for path in MAVEN_ARTIFACT_JARS if path.exists()), None)
    if java is None or jar is None:
        pytest.skip("needs java and Debian's maven-artifact jar (apt package maven)")
    versions = random_versions(150)
    (tmp_path / "versions.txt").write_text("\n".join(versions) + "\n")
    (tmp_path / "Sorter.java").write_text(JAVA_SORTER)

    completed = subprocess.run(
        [java, "-cp", str(jar), "Sorter.java", "versions.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    expected_rows = completed.stdout.splitlines()
    parsed = [MavenVersion(text) for text in versions]
    for left, expected in zip(parsed, expected_rows, strict=True):
        row = "".join("-0+"[left.compare_release(right) + 1] for right in parsed)
        assert row == expected, f"order of {left.text!r} differs from Maven's"
