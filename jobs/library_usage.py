"""Decide whether a Java method uses a library, from its code and its file's
imports."""

import re
from dataclasses import dataclass, field

from django.conf import settings

_IMPORT = re.compile(
    r"^\s*import\s+(static\s+)?([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)"
    r"(\s*\.\s*\*)?\s*;",
    re.MULTILINE,
)
# Comments, text blocks, string literals and char literals, removed before
# identifiers are read so that a name in a comment or string is no use.
_NOISE = re.compile(
    r'//[^\n]*|/\*.*?\*/|"""(?:.|\n)*?"""|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
    re.DOTALL,
)
_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
# Common java.lang types, which a wildcard import cannot be the source of.
_JAVA_LANG_TYPES = {
    "Object",
    "String",
    "StringBuilder",
    "Integer",
    "Long",
    "Double",
    "Float",
    "Boolean",
    "Character",
    "Byte",
    "Short",
    "Math",
    "System",
    "Thread",
    "Runnable",
    "Exception",
    "RuntimeException",
    "IllegalArgumentException",
    "IllegalStateException",
    "NullPointerException",
    "Iterable",
    "Override",
    "Class",
    "Void",
    "Number",
    "Comparable",
    "CharSequence",
    "Enum",
    "Error",
}
_UNQUALIFIED_CALL = re.compile(r"(?<![\w$.])\s*([A-Za-z_$][\w$]*)\s*\(")


def library_packages(library: str) -> list[str]:
    """Return the Java package prefixes of a `group:artifact` library.

    Libraries missing from settings.LIBRARY_PACKAGES are matched by their
    group id, which is the package prefix for most Maven libraries.
    """
    known = settings.LIBRARY_PACKAGES.get(library)
    if known:
        return list(known)
    return [library.split(":", 1)[0]]


@dataclass
class FileImports:
    """Names a Java file imports from the library's packages."""

    types: set[str] = field(default_factory=set)
    other_types: set[str] = field(default_factory=set)
    static_members: set[str] = field(default_factory=set)
    wildcard_packages: bool = False
    wildcard_static: bool = False


def read_imports(file_text: str, packages: list[str]) -> FileImports:
    """Collect the names that `file_text` imports from `packages`."""
    imports = FileImports()
    for match in _IMPORT.finditer(file_text):
        is_static = bool(match.group(1))
        name = re.sub(r"\s+", "", match.group(2))
        wildcard = bool(match.group(3))
        if not _in_packages(name, packages):
            if not is_static and not wildcard:
                imports.other_types.add(name.rsplit(".", 1)[-1])
            continue
        if is_static and wildcard:
            imports.wildcard_static = True
        elif is_static:
            imports.static_members.add(name.rsplit(".", 1)[-1])
        elif wildcard:
            imports.wildcard_packages = True
        else:
            imports.types.add(name.rsplit(".", 1)[-1])
    return imports


def uses_library(method_code: str, imports: FileImports, packages: list[str]) -> bool:
    """Return whether the method refers to the library: a type or static
    member imported from its packages, or a fully-qualified name.

    NOTE: with a wildcard import, any capitalized name that the file does
    not import by name counts as the library's, and with a static wildcard
    import any unqualified call counts. Both can report a method that uses
    only its own or java.lang types.
    """
    code = _NOISE.sub(" ", method_code)
    compact = re.sub(r"\s+", "", code)
    if any(package + "." in compact for package in packages):
        return True

    identifiers = set(_IDENTIFIER.findall(code))
    if identifiers & imports.types:
        return True
    if imports.wildcard_packages:
        unexplained = identifiers - imports.other_types - _JAVA_LANG_TYPES
        if any(name[:1].isupper() for name in unexplained):
            return True

    called = set(_UNQUALIFIED_CALL.findall(code))
    if called & imports.static_members:
        return True
    return imports.wildcard_static and bool(called)


def _in_packages(name: str, packages: list[str]) -> bool:
    return any(
        name == package or name.startswith(package + ".") for package in packages
    )
