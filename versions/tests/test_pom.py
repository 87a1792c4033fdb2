from pathlib import Path

import pytest

from versions.buildfiles import DeclaredVersion, read_declared_version

GUAVA = "com.google.guava:guava"
MAVEN_NAMESPACE = (
    'xmlns="http://maven.apache.org/POM/4.0.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 '
    'https://maven.apache.org/xsd/maven-4.0.0.xsd"'
)


def guava(version=None, *, scope=None):
    version_line = f"<version>{version}</version>" if version else ""
    scope_line = f"<scope>{scope}</scope>" if scope else ""
    return (
        "<dependency><groupId>com.google.guava</groupId>"
        f"<artifactId>guava</artifactId>{version_line}{scope_line}</dependency>"
    )


def pom(
    *,
    artifact="app",
    group="com.example",
    version="1.0",
    parent="",
    properties="",
    dependencies="",
    managed="",
    namespace=True,
):
    attributes = f" {MAVEN_NAMESPACE}" if namespace else ""
    group_line = f"<groupId>{group}</groupId>" if group else ""
    version_line = f"<version>{version}</version>" if version else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<project{attributes}>
  <modelVersion>4.0.0</modelVersion>
  {parent}
  {group_line}
  <artifactId>{artifact}</artifactId>
  {version_line}
  <properties>{properties}</properties>
  <dependencyManagement><dependencies>{managed}</dependencies></dependencyManagement>
  <dependencies>{dependencies}</dependencies>
</project>
"""


def parent(artifact="parent", *, group="com.example", version="1.0", path=None):
    path_line = "" if path is None else f"<relativePath>{path}</relativePath>"
    return (
        f"<parent><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
        f"<version>{version}</version>{path_line}</parent>"
    )


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_pom_direct_version_maven_namespace(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("31.1-jre")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "31.1-jre"
    assert declared.source == "pom.xml: version 31.1-jre in <dependencies>"
    assert declared.problems == []


def test_pom_direct_version_no_namespace(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("r09"), namespace=False))

    assert read_declared_version(tmp_path, GUAVA).version == "r09"


def test_pom_property_same_pom(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            properties="<guava.version>30.1.1-jre</guava.version>",
            dependencies=guava("${guava.version}"),
        ),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "30.1.1-jre"
    assert declared.source == "pom.xml: property guava.version in pom.xml"


def test_pom_property_from_parent(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(artifact="parent", properties="<guava.version>23.0</guava.version>"),
    )
    write(
        tmp_path,
        "core/pom.xml",
        pom(artifact="core", parent=parent(), dependencies=guava("${guava.version}")),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "23.0"
    assert declared.source == "core/pom.xml: property guava.version in parent pom.xml"


def test_pom_property_from_parent_relative_path(tmp_path):
    write(
        tmp_path,
        "build/parent/pom.xml",
        pom(artifact="parent", properties="<guava.version>19.0</guava.version>"),
    )
    write(
        tmp_path,
        "pom.xml",
        pom(
            parent=parent(path="build/parent"),
            dependencies=guava("${guava.version}"),
        ),
    )
    # build/ is skipped when walking, but a parent named by relativePath is
    # still read, because Maven reads it from there.
    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "19.0"
    assert declared.source == (
        "pom.xml: property guava.version in parent build/parent/pom.xml"
    )


def test_pom_parent_by_relative_path_file(tmp_path):
    write(
        tmp_path,
        "parent/pom.xml",
        pom(artifact="parent", properties="<guava.version>19.0</guava.version>"),
    )
    write(
        tmp_path,
        "app/pom.xml",
        pom(
            parent=parent(path="../parent/pom.xml"),
            dependencies=guava("${guava.version}"),
        ),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "19.0"
    assert (
        declared.source
        == "app/pom.xml: property guava.version in parent parent/pom.xml"
    )


def test_pom_grandparent_property(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(artifact="root", properties="<guava.version>28.2-android</guava.version>"),
    )
    write(tmp_path, "libs/pom.xml", pom(artifact="libs", parent=parent("root")))
    write(
        tmp_path,
        "libs/core/pom.xml",
        pom(
            artifact="core",
            parent=parent("libs"),
            dependencies=guava("${guava.version}"),
        ),
    )

    assert read_declared_version(tmp_path, GUAVA).version == "28.2-android"


def test_pom_child_property_overrides_parent(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            artifact="parent",
            properties="<guava.version>20.0</guava.version>",
            managed=guava("${guava.version}"),
        ),
    )
    write(
        tmp_path,
        "core/pom.xml",
        pom(
            artifact="core",
            parent=parent(),
            properties="<guava.version>21.0</guava.version>",
            dependencies=guava(),
        ),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    # Maven interpolates the parent's <dependencyManagement> with the
    # child's properties, so core resolves to 21.0 while the parent alone
    # gives 20.0. The tie goes to the higher version.
    assert declared.version == "21.0"
    assert declared.source.startswith(
        "core/pom.xml: <dependencyManagement> in parent pom.xml, "
        "property guava.version in core/pom.xml"
    )


def test_pom_dependency_management_in_parent(tmp_path):
    write(tmp_path, "pom.xml", pom(artifact="parent", managed=guava("24.1-jre")))
    write(
        tmp_path,
        "core/pom.xml",
        pom(artifact="core", parent=parent(), dependencies=guava()),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "24.1-jre"
    assert declared.source == (
        "pom.xml: version 24.1-jre in <dependencyManagement> "
        "(same in 2 of 2 build files)"
    )


def test_pom_managed_version_source_names_parent(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            artifact="parent",
            properties="<guava.version>24.1-jre</guava.version>",
            managed=guava("${guava.version}"),
        ),
    )
    write(
        tmp_path,
        "core/pom.xml",
        pom(artifact="core", parent=parent(), dependencies=guava()),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "24.1-jre"
    assert "pom.xml: property guava.version in pom.xml" in declared.source


def test_pom_project_version(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            group="com.google.guava",
            artifact="guava-tests",
            version="33.4.8-jre",
            dependencies=guava("${project.version}"),
        ),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "33.4.8-jre"
    assert declared.source == "pom.xml: ${project.version} of pom.xml"


def test_pom_project_version_inherited_from_parent(tmp_path):
    write(tmp_path, "pom.xml", pom(artifact="parent", version="18.0"))
    write(
        tmp_path,
        "tests/pom.xml",
        pom(
            artifact="tests",
            version=None,
            parent=parent(version="18.0"),
            dependencies=guava("${project.version}"),
        ),
    )

    assert read_declared_version(tmp_path, GUAVA).version == "18.0"


def test_pom_project_parent_version(tmp_path):
    write(tmp_path, "pom.xml", pom(artifact="parent", version="17.0"))
    write(
        tmp_path,
        "tests/pom.xml",
        pom(
            artifact="tests",
            version="1.0",
            parent=parent(version="17.0"),
            dependencies=guava("${project.parent.version}"),
        ),
    )

    assert read_declared_version(tmp_path, GUAVA).version == "17.0"


def test_pom_nested_property(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            properties=(
                "<guava.major>32.1.3</guava.major>"
                "<guava.version>${guava.major}-jre</guava.version>"
            ),
            dependencies=guava("${guava.version}"),
        ),
    )

    assert read_declared_version(tmp_path, GUAVA).version == "32.1.3-jre"


def test_pom_property_cycle_unresolved(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(properties="<a>${b}</a><b>${a}</b>", dependencies=guava("${a}")),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "refers to itself" in declared.source


def test_pom_missing_property_unresolved(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("${guava.version}")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert declared.source == (
        "pom.xml: property guava.version is not defined in pom.xml "
        "or its parent POMs in the repository"
    )


def test_pom_parent_from_registry_unresolved(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(
            parent=parent(
                "spring-boot-starter-parent",
                group="org.springframework.boot",
                version="3.2.0",
            ),
            dependencies=guava("${guava.version}"),
        ),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "property guava.version is not defined" in declared.source
    assert (
        "parent org.springframework.boot:spring-boot-starter-parent:3.2.0 "
        "is not in the repository"
    ) in declared.source


def test_pom_managed_by_registry_parent_unresolved(tmp_path):
    write(
        tmp_path,
        "pom.xml",
        pom(parent=parent("oss-parent", path=""), dependencies=guava()),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "no <version> or <dependencyManagement> entry" in declared.source
    assert "com.example:oss-parent:1.0 is not in the repository" in declared.source


def test_pom_modules_at_any_depth(tmp_path):
    write(tmp_path, "pom.xml", pom(artifact="root"))
    write(tmp_path, "a/b/c/pom.xml", pom(artifact="deep", dependencies=guava("16.0.1")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "16.0.1"
    assert declared.source.startswith("a/b/c/pom.xml:")


def test_pom_skips_target_and_hidden_folders(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("31.1-jre")))
    write(tmp_path, "target/classes/pom.xml", pom(dependencies=guava("1.0")))
    write(tmp_path, ".git/pom.xml", pom(dependencies=guava("1.0")))
    write(tmp_path, "src/test/resources/pom.xml", pom(dependencies=guava("1.0")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "31.1-jre"
    assert "same in" not in declared.source


def test_pom_imported_guava_bom(tmp_path):
    bom = (
        "<dependency><groupId>com.google.guava</groupId>"
        "<artifactId>guava-bom</artifactId><version>${guava.version}</version>"
        "<type>pom</type><scope>import</scope></dependency>"
    )
    write(
        tmp_path,
        "pom.xml",
        pom(
            artifact="parent",
            properties="<guava.version>33.2.1-jre</guava.version>",
            managed=bom,
        ),
    )
    write(
        tmp_path,
        "app/pom.xml",
        pom(artifact="app", parent=parent(), dependencies=guava()),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "33.2.1-jre"
    assert declared.source == (
        "app/pom.xml: imported BOM com.google.guava:guava-bom in parent pom.xml, "
        "property guava.version in parent pom.xml"
    )


def test_pom_imported_bom_in_repository(tmp_path):
    write(
        tmp_path,
        "bom/pom.xml",
        pom(group="com.example", artifact="example-bom", managed=guava("27.0.1-jre")),
    )
    imported = (
        "<dependency><groupId>com.example</groupId><artifactId>example-bom</artifactId>"
        "<version>1.0</version><type>pom</type><scope>import</scope></dependency>"
    )
    write(tmp_path, "app/pom.xml", pom(managed=imported, dependencies=guava()))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "27.0.1-jre"
    assert (
        "app/pom.xml: imported BOM com.example:example-bom in app/pom.xml, "
        "<dependencyManagement> in bom/pom.xml"
    ) in declared.source


def test_pom_unknown_imported_bom_unresolved(tmp_path):
    imported = (
        "<dependency><groupId>org.springframework.boot</groupId>"
        "<artifactId>spring-boot-dependencies</artifactId><version>3.2.0</version>"
        "<type>pom</type><scope>import</scope></dependency>"
    )
    write(tmp_path, "pom.xml", pom(managed=imported, dependencies=guava()))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None


def test_pom_most_common_version_wins(tmp_path):
    write(tmp_path, "a/pom.xml", pom(artifact="a", dependencies=guava("30.0-jre")))
    write(tmp_path, "b/pom.xml", pom(artifact="b", dependencies=guava("31.0-jre")))
    write(tmp_path, "c/pom.xml", pom(artifact="c", dependencies=guava("30.0-jre")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "30.0-jre"
    assert declared.source == (
        "a/pom.xml: version 30.0-jre in <dependencies> (most common: 30.0-jre in 2 "
        "of 3 build files; 31.0-jre in 1)"
    )


def test_pom_tie_broken_by_highest_version(tmp_path):
    write(tmp_path, "a/pom.xml", pom(artifact="a", dependencies=guava("9.0")))
    write(tmp_path, "b/pom.xml", pom(artifact="b", dependencies=guava("10.0")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "10.0"
    assert "highest of the most common" in declared.source


def test_pom_vote_skips_unresolved(tmp_path):
    write(tmp_path, "a/pom.xml", pom(artifact="a", dependencies=guava("${missing}")))
    write(tmp_path, "b/pom.xml", pom(artifact="b", dependencies=guava("22.0")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "22.0"
    assert declared.source == (
        "b/pom.xml: version 22.0 in <dependencies> "
        "(same in 1 of 2 build files; unresolved in 1)"
    )


def test_pom_version_range_unresolved(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("[30.0,)")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "version range" in declared.source


def test_pom_other_library(tmp_path):
    dependency = (
        "<dependency><groupId>org.apache.commons</groupId>"
        "<artifactId>commons-lang3</artifactId><version>3.12.0</version></dependency>"
    )
    write(tmp_path, "pom.xml", pom(dependencies=dependency + guava("31.1-jre")))

    declared = read_declared_version(tmp_path, "org.apache.commons:commons-lang3")

    assert declared.version == "3.12.0"


def test_pom_library_not_declared(tmp_path):
    write(tmp_path, "pom.xml", pom(dependencies=guava("31.1-jre")))

    assert read_declared_version(tmp_path, "junit:junit") is None


def test_pom_bom_alone_not_declaration(tmp_path):
    bom = (
        "<dependency><groupId>com.google.guava</groupId>"
        "<artifactId>guava-bom</artifactId><version>33.0.0-jre</version>"
        "<type>pom</type><scope>import</scope></dependency>"
    )
    write(tmp_path, "pom.xml", pom(managed=bom))

    assert read_declared_version(tmp_path, GUAVA) is None


def test_pom_malformed_xml_reported(tmp_path):
    write(tmp_path, "broken/pom.xml", "<project><dependencies>")
    write(tmp_path, "good/pom.xml", pom(dependencies=guava("25.1-jre")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "25.1-jre"
    assert len(declared.problems) == 1
    assert declared.problems[0].startswith("broken/pom.xml: malformed XML:")


def test_pom_billion_laughs_rejected(tmp_path):
    laughs = """<?xml version="1.0"?>
<!DOCTYPE project [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<project><artifactId>&lol9;</artifactId></project>
"""
    write(tmp_path, "bad/pom.xml", laughs)
    write(tmp_path, "good/pom.xml", pom(dependencies=guava("25.1-jre")))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "25.1-jre"
    assert declared.problems == [
        "bad/pom.xml: declares entity 'lol'; entity declarations are rejected "
        "because nested entities can expand to gigabytes (billion laughs)"
    ]


def test_pom_external_entity_rejected(tmp_path):
    secret = write(tmp_path, "secret.txt", "31.1-jre")
    external = f"""<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY version SYSTEM "file://{secret}">]>
<project><dependencies>{guava("&version;")}</dependencies></project>
"""
    write(tmp_path, "pom.xml", external)

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared == DeclaredVersion(
        version=None,
        source="",
        problems=[
            f"pom.xml: declares external entity 'version' (file://{secret}); "
            "external entities are rejected because they read files or URLs"
        ],
    )


def test_pom_wrong_root_element(tmp_path):
    write(tmp_path, "pom.xml", "<settings><profiles/></settings>")

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.problems == [
        "pom.xml: root element is <settings>, expected <project>"
    ]


def test_pom_invalid_utf8_reported(tmp_path):
    (tmp_path / "pom.xml").write_bytes(b"<project>\xff\xfe</project>")

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert declared.problems[0].startswith("pom.xml: malformed XML: not well-formed")


def test_pom_latin1_encoding_declared(tmp_path):
    text = pom(dependencies=guava("14.0.1")).replace("UTF-8", "ISO-8859-1")
    text = text.replace("<modelVersion>", "<name>Müller</name><modelVersion>")
    (tmp_path / "pom.xml").write_bytes(text.encode("latin-1"))

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "14.0.1"
    assert declared.problems == []


def test_pom_malformed_parent_named_in_source(tmp_path):
    write(tmp_path, "pom.xml", "<project><properties>")
    write(
        tmp_path,
        "core/pom.xml",
        pom(artifact="core", parent=parent(), dependencies=guava("${guava.version}")),
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "parent com.example:parent:1.0 is a malformed POM" in declared.source
    assert declared.problems[0].startswith("pom.xml: malformed XML")


def test_read_declared_version_invalid_library(tmp_path):
    with pytest.raises(ValueError, match="expected groupId:artifactId"):
        read_declared_version(tmp_path, "guava")


def test_read_declared_version_missing_root(tmp_path):
    with pytest.raises(NotADirectoryError, match="checked-out repository"):
        read_declared_version(tmp_path / "missing", GUAVA)
