import pytest

from jobs.library_usage import library_packages, read_imports, uses_library

GUAVA = ["com.google.common"]

FILE = """package org.example;

import com.google.common.base.Objects;
import static com.google.common.base.Preconditions.checkNotNull;
import java.util.List;
"""


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("String f() { return Objects.toStringHelper(this).toString(); }", True),
        ("void f(Object o) { checkNotNull(o); }", True),
        ("void f() { com.google.common.base.Strings.isNullOrEmpty(s); }", True),
        ("void f(List<String> list) { list.clear(); }", False),
        ("void f() { // Objects.toStringHelper\n run(); }", False),
        ('void f() { log("Objects"); }', False),
        ("void f() { other.checkNotNull(x); }", False),
    ],
)
def test_uses_library_by_import_kind(code, expected):
    imports = read_imports(FILE, GUAVA)

    assert uses_library(code, imports, GUAVA) is expected


def test_wildcard_import_counts_unimported_types():
    imports = read_imports("import com.google.common.collect.*;\n", GUAVA)

    assert uses_library("void f() { Lists.newArrayList(); }", imports, GUAVA)
    assert not uses_library("void f() { String s = x; }", imports, GUAVA)


def test_read_imports_ignores_other_libraries():
    imports = read_imports("import org.apache.commons.Objects;\n", GUAVA)

    assert imports.types == set()
    assert imports.other_types == {"Objects"}


def test_library_packages_falls_back_to_group_id():
    assert library_packages("org.apache.commons:commons-lang3") == [
        "org.apache.commons"
    ]
    assert library_packages("com.google.guava:guava") == ["com.google.common"]
