"""Maven build files of the generated projects: an aggregator root, a parent
POM, intermediate aggregators and modules at depth 1 and 2."""

from collections.abc import Iterable

GUAVA_GROUP = "com.google.guava"
GUAVA_ARTIFACT = "guava"
JUNIT_VERSION = "4.13.2"

_HEADER = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
"""
_FOOTER = "</project>\n"


def _parent(group: str, artifact: str, version: str, relative_path: str) -> str:
    relative = (
        f"    <relativePath>{relative_path}</relativePath>\n" if relative_path else ""
    )
    return (
        "  <parent>\n"
        f"    <groupId>{group}</groupId>\n"
        f"    <artifactId>{artifact}</artifactId>\n"
        f"    <version>{version}</version>\n"
        f"{relative}"
        "  </parent>\n"
    )


def _modules(paths: Iterable[str]) -> str:
    lines = "".join(f"    <module>{path}</module>\n" for path in paths)
    return f"  <modules>\n{lines}  </modules>\n"


def _dependency(group: str, artifact: str, version: str, indent: str) -> str:
    version_line = f"{indent}  <version>{version}</version>\n" if version else ""
    return (
        f"{indent}<dependency>\n"
        f"{indent}  <groupId>{group}</groupId>\n"
        f"{indent}  <artifactId>{artifact}</artifactId>\n"
        f"{version_line}"
        f"{indent}</dependency>\n"
    )


def _junit(indent: str, *, with_version: bool) -> str:
    text = _dependency(
        "junit", "junit", "${junit.version}" if with_version else "", indent
    )
    return text.replace(
        f"{indent}</dependency>",
        f"{indent}  <scope>test</scope>\n{indent}</dependency>",
    )


def aggregator_root(
    *, group: str, artifact: str, version: str, modules: Iterable[str], guava: str
) -> str:
    """Build a root POM with packaging pom that lists the modules and sets the
    guava.version property."""
    return (
        _HEADER
        + f"  <groupId>{group}</groupId>\n"
        + f"  <artifactId>{artifact}</artifactId>\n"
        + f"  <version>{version}</version>\n"
        + "  <packaging>pom</packaging>\n"
        + _modules(modules)
        + "  <properties>\n"
        + "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>\n"
        + "    <maven.compiler.release>17</maven.compiler.release>\n"
        + f"    <guava.version>{guava}</guava.version>\n"
        + f"    <junit.version>{JUNIT_VERSION}</junit.version>\n"
        + "  </properties>\n"
        + _FOOTER
    )


def parent_pom(*, group: str, artifact: str, root_artifact: str, version: str) -> str:
    """Build a parent POM one folder below the root that manages the Guava
    version through the root's guava.version property."""
    managed = _dependency(
        GUAVA_GROUP, GUAVA_ARTIFACT, "${guava.version}", "      "
    ) + _junit("      ", with_version=True)
    return (
        _HEADER
        + _parent(group, root_artifact, version, "../pom.xml")
        + f"  <artifactId>{artifact}</artifactId>\n"
        + "  <packaging>pom</packaging>\n"
        + "  <dependencyManagement>\n    <dependencies>\n"
        + managed
        + "    </dependencies>\n  </dependencyManagement>\n"
        + _FOOTER
    )


def managing_root(
    *, group: str, artifact: str, version: str, modules: Iterable[str], guava: str
) -> str:
    """Build a root POM that is its modules' parent and manages the Guava
    version as a literal in dependencyManagement."""
    managed = _dependency(GUAVA_GROUP, GUAVA_ARTIFACT, guava, "      ") + _junit(
        "      ", with_version=False
    ).replace("    <scope>", f"    <version>{JUNIT_VERSION}</version>\n        <scope>")
    return (
        _HEADER
        + f"  <groupId>{group}</groupId>\n"
        + f"  <artifactId>{artifact}</artifactId>\n"
        + f"  <version>{version}</version>\n"
        + "  <packaging>pom</packaging>\n"
        + _modules(modules)
        + "  <dependencyManagement>\n    <dependencies>\n"
        + managed
        + "    </dependencies>\n  </dependencyManagement>\n"
        + _FOOTER
    )


def intermediate_aggregator(
    *,
    group: str,
    artifact: str,
    parent_artifact: str,
    parent_path: str,
    version: str,
    modules: Iterable[str],
) -> str:
    """Build a POM with packaging pom that only lists the modules below it."""
    return (
        _HEADER
        + _parent(group, parent_artifact, version, parent_path)
        + f"  <artifactId>{artifact}</artifactId>\n"
        + "  <packaging>pom</packaging>\n"
        + _modules(modules)
        + _FOOTER
    )


def module_pom(
    *,
    group: str,
    artifact: str,
    parent_artifact: str,
    parent_path: str,
    version: str,
    guava_version: str,
) -> str:
    """Build a jar module's POM. An empty `guava_version` leaves the version to
    the parent's dependencyManagement."""
    dependencies = _dependency(
        GUAVA_GROUP, GUAVA_ARTIFACT, guava_version, "    "
    ) + _junit("    ", with_version=False)
    return (
        _HEADER
        + _parent(group, parent_artifact, version, parent_path)
        + f"  <artifactId>{artifact}</artifactId>\n"
        + "  <dependencies>\n"
        + dependencies
        + "  </dependencies>\n"
        + _FOOTER
    )


def single_module(*, group: str, artifact: str, version: str, guava: str) -> str:
    """Build the POM of a one-module project with a guava.version property."""
    dependencies = _dependency(
        GUAVA_GROUP, GUAVA_ARTIFACT, "${guava.version}", "    "
    ) + _junit("    ", with_version=False).replace(
        "      <scope>", f"      <version>{JUNIT_VERSION}</version>\n      <scope>"
    )
    return (
        _HEADER
        + f"  <groupId>{group}</groupId>\n"
        + f"  <artifactId>{artifact}</artifactId>\n"
        + f"  <version>{version}</version>\n"
        + "  <properties>\n"
        + f"    <guava.version>{guava}</guava.version>\n"
        + "  </properties>\n"
        + "  <dependencies>\n"
        + dependencies
        + "  </dependencies>\n"
        + _FOOTER
    )
