from pathlib import Path

from versions.buildfiles import read_declared_version
from versions.gradle import strip_comments

GUAVA = "com.google.guava:guava"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_gradle_string_notation_groovy(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies {\n    implementation 'com.google.guava:guava:31.1-jre'\n}\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "31.1-jre"
    assert declared.source == "build.gradle: version 31.1-jre"


def test_gradle_string_notation_kotlin(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        'dependencies {\n    implementation("com.google.guava:guava:33.4.8-android")\n}\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "33.4.8-android"


def test_gradle_string_notation_with_classifier(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies { testImplementation 'com.google.guava:guava:r09:sources@jar' }",
    )

    assert read_declared_version(tmp_path, GUAVA).version == "r09"


def test_gradle_map_notation_groovy(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies {\n"
        "    compile group: 'com.google.guava', name: 'guava', version: '18.0'\n"
        "}\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "18.0"
    assert declared.source == "build.gradle: version 18.0"


def test_gradle_map_notation_kotlin(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        "dependencies {\n"
        '    implementation(group = "com.google.guava", name = "guava", '
        'version = "19.0")\n'
        "}\n",
    )

    assert read_declared_version(tmp_path, GUAVA).version == "19.0"


def test_gradle_map_notation_variable_version(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "def guavaVersion = '17.0'\n"
        "dependencies {\n"
        "    compile group: 'com.google.guava', name: 'guava', version: guavaVersion\n"
        "}\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "17.0"
    assert declared.source == "build.gradle: variable guavaVersion in build.gradle"


def test_gradle_ext_block_from_root_script(tmp_path):
    write(tmp_path, "build.gradle", "ext {\n    guavaVersion = '30.0-android'\n}\n")
    write(
        tmp_path,
        "app/build.gradle",
        'dependencies { implementation "com.google.guava:guava:${guavaVersion}" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "30.0-android"
    assert declared.source == "app/build.gradle: variable guavaVersion in build.gradle"


def test_gradle_ext_dotted_assignment(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "ext.guavaVersion = '28.1-jre'\n"
        'dependencies { implementation "com.google.guava:guava:$guavaVersion" }\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "28.1-jre"


def test_gradle_ext_version_map(tmp_path):
    write(
        tmp_path, "build.gradle", "ext.versions = [guava: '29.0-jre', junit: '4.13']\n"
    )
    write(
        tmp_path,
        "app/build.gradle",
        'dependencies { implementation "com.google.guava:guava:$versions.guava" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "29.0-jre"
    assert (
        declared.source == "app/build.gradle: variable versions.guava in build.gradle"
    )


def test_gradle_kotlin_val(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        'val guavaVersion = "32.0.0-jre"\n'
        'dependencies { implementation("com.google.guava:guava:$guavaVersion") }\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "32.0.0-jre"


def test_gradle_kotlin_by_extra(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        'val guavaVersion by extra("26.0-jre")\n'
        'dependencies { implementation("com.google.guava:guava:${guavaVersion}") }\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "26.0-jre"


def test_gradle_kotlin_extra_index(tmp_path):
    write(tmp_path, "build.gradle.kts", 'extra["guavaVersion"] = "25.1-android"\n')
    write(
        tmp_path,
        "app/build.gradle.kts",
        "dependencies {\n"
        '    implementation("com.google.guava:guava:'
        '${rootProject.extra["guavaVersion"]}")\n'
        "}\n",
    )

    assert read_declared_version(tmp_path, GUAVA).version == "25.1-android"


def test_gradle_properties_variable(tmp_path):
    write(tmp_path, "gradle.properties", "# versions\nguavaVersion=27.1-jre\n")
    write(
        tmp_path,
        "build.gradle",
        'dependencies { implementation "com.google.guava:guava:$guavaVersion" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "27.1-jre"
    assert declared.source == "build.gradle: variable guavaVersion in gradle.properties"


def test_gradle_property_call(tmp_path):
    write(tmp_path, "gradle.properties", "guava.version = 20.0\n")
    write(
        tmp_path,
        "build.gradle.kts",
        "dependencies {\n"
        '    implementation("com.google.guava:guava:${property("guava.version")}")\n'
        "}\n",
    )

    assert read_declared_version(tmp_path, GUAVA).version == "20.0"


def test_gradle_script_variable_beats_properties(tmp_path):
    write(tmp_path, "gradle.properties", "guavaVersion=1.0\n")
    write(
        tmp_path,
        "build.gradle",
        "ext.guavaVersion = '21.0'\n"
        'dependencies { implementation "com.google.guava:guava:$guavaVersion" }\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "21.0"


def test_gradle_undefined_variable_unresolved(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        'dependencies { implementation "com.google.guava:guava:$guavaVersion" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert declared.source == (
        "build.gradle: variable guavaVersion is not defined in build.gradle, "
        "the build scripts of its parent folders or gradle.properties"
    )


def test_gradle_single_quoted_variable_unresolved(tmp_path):
    write(tmp_path, "gradle.properties", "guavaVersion=27.1-jre\n")
    write(
        tmp_path,
        "build.gradle",
        "dependencies { implementation 'com.google.guava:guava:$guavaVersion' }\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "single-quoted" in declared.source


def test_gradle_expression_unresolved(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        "dependencies {\n"
        '    implementation("com.google.guava:guava:${libs.versions.guava.get()}")\n'
        "}\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "only Gradle can evaluate" in declared.source


def test_gradle_dynamic_version_unresolved(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies { compile 'com.google.guava:guava:[30,31)' }",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "version range" in declared.source


def test_gradle_comments_ignored(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "// implementation 'com.google.guava:guava:1.0'\n"
        "/* implementation 'com.google.guava:guava:2.0' */\n"
        "dependencies {\n"
        "    implementation 'com.google.guava:guava:3.0' // was 2.0\n"
        "}\n",
    )

    assert read_declared_version(tmp_path, GUAVA).version == "3.0"


def test_strip_comments_keeps_urls_in_strings():
    text = "url 'https://repo.example.com/maven' // mirror\n/* a\nb */x"

    assert strip_comments(text) == "url 'https://repo.example.com/maven' \n\nx"


def test_gradle_platform_bom(tmp_path):
    write(
        tmp_path,
        "build.gradle.kts",
        "dependencies {\n"
        '    implementation(platform("com.google.guava:guava-bom:33.1.0-jre"))\n'
        '    implementation("com.google.guava:guava")\n'
        "}\n",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "33.1.0-jre"
    assert declared.source == (
        "build.gradle.kts: platform BOM in build.gradle.kts, version 33.1.0-jre"
    )


def test_gradle_no_version_unresolved(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies { implementation 'com.google.guava:guava' }",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "without a version" in declared.source


def test_gradle_catalog_version_ref(tmp_path):
    write(
        tmp_path,
        "gradle/libs.versions.toml",
        '[versions]\nguava = "33.4.8-jre"\n\n[libraries]\n'
        'guava = { module = "com.google.guava:guava", version.ref = "guava" }\n',
    )
    write(tmp_path, "build.gradle.kts", "dependencies { implementation(libs.guava) }\n")

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "33.4.8-jre"
    assert (
        declared.source == "gradle/libs.versions.toml: library guava, version.ref guava"
    )


def test_gradle_catalog_inline_version(tmp_path):
    write(
        tmp_path,
        "gradle/libs.versions.toml",
        "[libraries]\n"
        'google-guava = { group = "com.google.guava", name = "guava", '
        'version = "31.0.1-android" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "31.0.1-android"
    assert declared.source == (
        "gradle/libs.versions.toml: library google-guava, inline version"
    )


def test_gradle_catalog_string_notation(tmp_path):
    write(
        tmp_path,
        "gradle/libs.versions.toml",
        '[libraries]\nguava = "com.google.guava:guava:30.1-jre"\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "30.1-jre"


def test_gradle_catalog_rich_version(tmp_path):
    write(
        tmp_path,
        "gradle/libs.versions.toml",
        '[versions]\nguava = { strictly = "32.1.2-jre" }\n[libraries]\n'
        'guava = { module = "com.google.guava:guava", version.ref = "guava" }\n',
    )

    assert read_declared_version(tmp_path, GUAVA).version == "32.1.2-jre"


def test_gradle_catalog_missing_ref(tmp_path):
    write(
        tmp_path,
        "gradle/libs.versions.toml",
        '[libraries]\nguava = { module = "com.google.guava:guava", version.ref = "gv" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert declared.source == (
        "gradle/libs.versions.toml: library guava: version.ref gv is not in [versions]"
    )


def test_gradle_malformed_catalog_reported(tmp_path):
    write(tmp_path, "gradle/libs.versions.toml", '[versions\nguava = "1"\n')
    write(
        tmp_path,
        "build.gradle",
        "dependencies { compile 'com.google.guava:guava:15.0' }",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "15.0"
    assert len(declared.problems) == 1
    assert declared.problems[0].startswith("gradle/libs.versions.toml: malformed TOML")


def test_gradle_skips_build_output(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies { compile 'com.google.guava:guava:15.0' }",
    )
    write(
        tmp_path,
        "app/build/tmp/build.gradle",
        "dependencies { compile 'com.google.guava:guava:1.0' }",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.source == "build.gradle: version 15.0"


def test_gradle_other_library(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        "dependencies {\n"
        "    implementation 'com.google.guava:guava:31.1-jre'\n"
        "    implementation 'com.google.guava:guava-testlib:30.0-jre'\n"
        "}\n",
    )

    declared = read_declared_version(tmp_path, "com.google.guava:guava-testlib")

    assert declared.version == "30.0-jre"


def test_gradle_invalid_utf8_reported(tmp_path):
    (tmp_path / "build.gradle").write_bytes(b"dependencies { \xff }")
    write(
        tmp_path,
        "app/build.gradle",
        "dependencies { compile 'com.google.guava:guava:15.0' }",
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version == "15.0"
    assert declared.problems == [
        "build.gradle: invalid UTF-8 at byte 15; save it as UTF-8"
    ]


def test_gradle_variable_cycle_unresolved(tmp_path):
    write(
        tmp_path,
        "build.gradle",
        'ext.a = "$b"\next.b = "$a"\n'
        'dependencies { implementation "com.google.guava:guava:$a" }\n',
    )

    declared = read_declared_version(tmp_path, GUAVA)

    assert declared.version is None
    assert "refers to itself" in declared.source
