"""Find the version of a library that Gradle build scripts and catalogs declare.

Build scripts are read as text and never run. The recognized forms are
string notation (``"g:a:1.0"``), map notation (``group: 'g', name: 'a',
version: '1.0'``), platform BOMs and version catalogs
(``gradle/libs.versions.toml``). A version may come from a variable set
with ``ext``, ``extra``, ``def`` or ``val``, or from ``gradle.properties``.

NOTE: versions set in ``buildSrc`` or in convention plugins (a Kotlin
``object Versions``) are not read, so such a declaration stays unresolved.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from versions.buildfiles import (
    BuildFileError,
    Finding,
    checked_version,
    iter_build_files,
    read_text,
    relative_path,
)

SCRIPT_NAMES = frozenset({"build.gradle", "build.gradle.kts"})
PROPERTIES_NAME = "gradle.properties"
CATALOG_SUFFIX = ".versions.toml"
MAX_VARIABLE_DEPTH = 16
COMMENT_OR_STRING = re.compile(r"""//|/\*|['"]""")

# Scope prefixes of a Gradle property name, which lookups ignore.
SCOPE_PREFIX = re.compile(r"^(?:(?:rootProject|project|ext|extra|properties)\.)+")
STRING_ASSIGNMENT = re.compile(
    r"""(?P<name>[A-Za-z_][\w.]*)\s*=\s*(?P<quote>['"])(?P<value>[^'"\n]*)(?P=quote)"""
)
EXTRA_SET = re.compile(
    r"""(?:set|extra|by\s+extra)\s*[(\[]\s*(?P<quote>['"])(?P<name>[\w.]+)(?P=quote)"""
    r"""\s*(?:,\s*(?P<q2>['"])(?P<value>[^'"\n]*)(?P=q2)\s*\)"""
    r"""|\]\s*=\s*(?P<q3>['"])(?P<value2>[^'"\n]*)(?P=q3))"""
)
DELEGATED_EXTRA = re.compile(
    r"""val\s+(?P<name>\w+)\s+by\s+extra\s*\(\s*(?P<quote>['"])"""
    r"""(?P<value>[^'"\n]*)(?P=quote)"""
)
MAP_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_][\w.]*)\s*=\s*\[(?P<body>[^\[\]]*)\]")
MAP_ENTRY = re.compile(
    r"""(?P<key>\w+|'[\w.-]+'|"[\w.-]+")\s*:\s*(?P<quote>['"])(?P<value>[^'"\n]*)(?P=quote)"""
)
PLATFORM = re.compile(
    r"""(?:enforcedPlatform|platform)\s*\(?\s*(?P<quote>['"])"""
    r"""(?P<group>[\w.-]+):(?P<artifact>[\w.-]+):(?P<version>[^'"\s]+)(?P=quote)"""
)
# "$name" or "${expression}". Groovy reads "$a.b" as a property path, Kotlin
# reads only "$a".
GROOVY_REFERENCE = re.compile(
    r"\$\{\s*(?P<expression>[^}]*?)\s*\}|\$(?P<name>[A-Za-z_][\w.]*\w|[A-Za-z_])"
)
KOTLIN_REFERENCE = re.compile(
    r"\$\{\s*(?P<expression>[^}]*?)\s*\}|\$(?P<name>[A-Za-z_]\w*)"
)
# Expressions that read a property by name: name, a.b, property("name"),
# findProperty("name"), extra["name"], ext["name"], extra.get("name").
PROPERTY_EXPRESSION = re.compile(
    r"""(?P<path>[A-Za-z_][\w.]*)"""
    r"""|(?:[\w.]*\.)?(?:property|findProperty)\(\s*['"](?P<called>[\w.]+)['"]\s*\)"""
    r"""|(?:[\w.]*\.)?(?:extra|ext|properties)(?:\[\s*['"](?P<indexed>[\w.]+)['"]\s*\]"""
    r"""|\.get\(\s*['"](?P<got>[\w.]+)['"]\s*\))"""
)


@dataclass
class Script:
    """One build script with its comments removed and its variables."""

    path: Path
    name: str
    text: str
    kotlin: bool
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class Declaration:
    version: str | None  # None when declared without a version
    raw: str  # the declaration as written, for messages
    quote: str


# Reading scripts


def strip_comments(text: str) -> str:
    """Remove ``//`` and ``/* */`` comments, keeping strings and line breaks."""
    output: list[str] = []
    index = 0
    while True:
        found = COMMENT_OR_STRING.search(text, index)
        if found is None:
            output.append(text[index:])
            return "".join(output)
        start = found.start()
        output.append(text[index:start])
        token = found.group(0)
        if token == "//":
            end = text.find("\n", start)
            index = len(text) if end == -1 else end
        elif token == "/*":
            end = text.find("*/", start + 2)
            index = len(text) if end == -1 else end + 2
            output.append("\n" * text.count("\n", start, index))
        else:
            index = _string_end(text, start)
            output.append(text[start:index])


def _string_end(text: str, start: int) -> int:
    """Return the index after the string literal that starts at ``start``."""
    quote = text[start]
    delimiter = quote * 3 if text.startswith(quote * 3, start) else quote
    index = start + len(delimiter)
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text.startswith(delimiter, index):
            return index + len(delimiter)
        if len(delimiter) == 1 and text[index] == "\n":
            return index  # an unterminated string ends at the line break
        index += 1
    return len(text)


def collect_variables(text: str) -> dict[str, str]:
    """Collect string variables: ext/extra properties, def/val and map entries."""
    variables: dict[str, str] = {}
    for match in STRING_ASSIGNMENT.finditer(text):
        variables[property_name(match.group("name"))] = match.group("value")
    for match in EXTRA_SET.finditer(text):
        value = match.group("value")
        if value is None:
            value = match.group("value2")
        variables[property_name(match.group("name"))] = value
    for match in DELEGATED_EXTRA.finditer(text):
        variables[match.group("name")] = match.group("value")
    for match in MAP_ASSIGNMENT.finditer(text):
        prefix = property_name(match.group("name"))
        for entry in MAP_ENTRY.finditer(match.group("body")):
            key = entry.group("key").strip("'\"")
            variables[f"{prefix}.{key}"] = entry.group("value")
    return variables


def expression_property(expression: str) -> str | None:
    """Return the property an interpolated expression reads, or None."""
    match = PROPERTY_EXPRESSION.fullmatch(expression)
    if match is None:
        return None
    return next(group for group in match.groups() if group)


def property_name(name: str) -> str:
    return SCOPE_PREFIX.sub("", name)


def parse_properties(text: str) -> dict[str, str]:
    """Parse a ``gradle.properties`` file (Java properties, one per line)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#!":
            continue
        match = re.match(r"([^=:\s]+)\s*[=:\s]\s*(.*)", line)
        if match:
            values[match.group(1)] = match.group(2).strip()
    return values


# Finding declarations


def string_declarations(
    text: str, group_id: str, artifact_id: str
) -> Iterator[Declaration]:
    """Yield ``"group:artifact:version"`` declarations, version optional."""
    pattern = re.compile(
        r"""(?P<quote>['"])"""
        + re.escape(f"{group_id}:{artifact_id}")
        + r"""(?::(?P<version>(?:\$\{[^}\n]*\}|[^'"\s:@])*))?"""
        + r"""(?::[^'"\s@]*)?(?:@\w+)?(?P=quote)"""
    )
    for match in pattern.finditer(text):
        yield Declaration(
            version=match.group("version") or None,
            raw=match.group(0),
            quote=match.group("quote"),
        )


def map_declarations(
    text: str, group_id: str, artifact_id: str
) -> Iterator[Declaration]:
    """Yield ``group: 'g', name: 'a', version: 'v'`` declarations (or ``=``)."""
    group = re.compile(r"""\bgroup\s*[:=]\s*['"]""" + re.escape(group_id) + r"""['"]""")
    name = re.compile(
        r"""\bname\s*[:=]\s*['"]""" + re.escape(artifact_id) + r"""['"]"""
    )
    version = re.compile(
        r"""\bversion\s*[:=]\s*(?:(?P<quote>['"])(?P<text>[^'"\n]*)(?P=quote)"""
        r"""|(?P<variable>[A-Za-z_][\w.]*))"""
    )
    for line in text.splitlines():
        if not group.search(line) or not name.search(line):
            continue
        found = version.search(line)
        if found is None:
            yield Declaration(version=None, raw=line.strip(), quote="")
        elif found.group("variable"):
            yield Declaration(
                version="${" + found.group("variable") + "}",
                raw=line.strip(),
                quote='"',
            )
        else:
            yield Declaration(
                version=found.group("text"),
                raw=line.strip(),
                quote=found.group("quote"),
            )


def platform_version(text: str, group_id: str, artifact_id: str) -> str | None:
    """Return the version of a platform BOM named after the library, if any."""
    bom_names = (f"{artifact_id}-bom", f"{group_id.rsplit('.', 1)[-1]}-bom")
    for match in PLATFORM.finditer(text):
        if match.group("group") == group_id and match.group("artifact") in bom_names:
            return match.group("version")
    return None


class GradleResolver:
    """Resolve variables and platforms across one repository's Gradle files."""

    def __init__(
        self,
        root: Path,
        scripts: list[Script],
        properties: dict[Path, dict[str, str]],
        *,
        group_id: str,
        artifact_id: str,
    ) -> None:
        self.root = root
        self.scripts_by_folder: dict[Path, list[Script]] = {}
        for script in scripts:
            self.scripts_by_folder.setdefault(script.path.parent, []).append(script)
        self.properties = properties
        self.group_id = group_id
        self.artifact_id = artifact_id

    def folders_up(self, script: Script) -> list[Path]:
        """Return the script's folder and its parents up to the root."""
        folders = [script.path.parent]
        while folders[-1] != self.root and self.root in folders[-1].parents:
            folders.append(folders[-1].parent)
        return folders

    def lookup(self, name: str, script: Script) -> tuple[str, str] | None:
        """Find a variable as Gradle would: this project, then parent projects.

        Extra properties come before ``gradle.properties``, and the
        script's own variables before its parent folders'.
        """
        name = property_name(name)
        folders = self.folders_up(script)
        for folder in folders:
            for candidate in self.scripts_by_folder.get(folder, []):
                if name in candidate.variables:
                    return candidate.variables[name], candidate.name
        for folder in folders:
            values = self.properties.get(folder, {})
            if name in values:
                where = relative_path(folder / PROPERTIES_NAME, root=self.root)
                return values[name], where
        return None

    def resolve(self, script: Script) -> Finding | None:
        """Resolve the library's version in one script, or None if it is not declared."""
        declarations = [
            *string_declarations(script.text, self.group_id, self.artifact_id),
            *map_declarations(script.text, self.group_id, self.artifact_id),
        ]
        if not declarations:
            return None
        with_version = [item for item in declarations if item.version]
        if not with_version:
            return self.resolve_platform(script)

        declaration = with_version[0]
        try:
            version, where = self.interpolate(declaration, script)
        except LookupError as error:
            return Finding(script.name, None, f"{script.name}: {error.args[0]}")
        source = f"{script.name}: {where}"
        valid_version, reason = checked_version(version)
        if valid_version is None:
            return Finding(script.name, None, f"{source}: {reason}")
        return Finding(script.name, valid_version, source)

    def resolve_platform(self, script: Script) -> Finding:
        coordinates = f"{self.group_id}:{self.artifact_id}"
        for candidate in [script, *self.all_scripts()]:
            version = platform_version(candidate.text, self.group_id, self.artifact_id)
            if version is None:
                continue
            declaration = Declaration(version=version, raw=version, quote='"')
            try:
                value, where = self.interpolate(declaration, candidate)
            except LookupError as error:
                return Finding(script.name, None, f"{script.name}: {error.args[0]}")
            source = f"{script.name}: platform BOM in {candidate.name}, {where}"
            valid_version, reason = checked_version(value)
            if valid_version is None:
                return Finding(script.name, None, f"{source}: {reason}")
            return Finding(script.name, valid_version, source)
        return Finding(
            script.name,
            None,
            f"{script.name}: declares {coordinates} without a version, and no "
            "platform BOM for it is in the build files",
        )

    def all_scripts(self) -> Iterator[Script]:
        for scripts in self.scripts_by_folder.values():
            yield from scripts

    def interpolate(self, declaration: Declaration, script: Script) -> tuple[str, str]:
        """Replace ``$name`` and ``${name}``, raising LookupError when undefined."""
        text = declaration.version or ""
        if "$" not in text:
            return text, f"version {text}"
        if declaration.quote == "'" and not script.kotlin:
            raise LookupError(
                f"{declaration.raw} is single-quoted, so Groovy does not "
                "replace its variables; use double quotes"
            )

        names: list[tuple[str, str]] = []
        value = self.expand(text, script, names=names, depth=0)
        if not names:
            raise LookupError(f"{declaration.raw} has a '$' that names no variable")
        first, where = names[0]
        return value, f"variable {first} in {where}"

    def expand(
        self, text: str, script: Script, *, names: list[tuple[str, str]], depth: int
    ) -> str:
        if depth > MAX_VARIABLE_DEPTH:
            raise LookupError(
                f"variables in {text!r} nest more than {MAX_VARIABLE_DEPTH} deep, "
                "so a variable probably refers to itself"
            )
        pattern = KOTLIN_REFERENCE if script.kotlin else GROOVY_REFERENCE

        def replace(match: re.Match) -> str:
            name = match.group("name") or expression_property(match.group("expression"))
            if name is None:
                raise LookupError(
                    f"{match.group(0)} is an expression that only Gradle can "
                    "evaluate; give the version as a string or a variable"
                )
            found = self.lookup(name, script)
            if found is None:
                raise LookupError(
                    f"variable {name} is not defined in {script.name}, the build "
                    f"scripts of its parent folders or {PROPERTIES_NAME}"
                )
            names.append((property_name(name), found[1]))
            return self.expand(found[0], script, names=names, depth=depth + 1)

        return pattern.sub(replace, text)


# Version catalogs


def catalog_findings(
    path: Path, *, root: Path, group_id: str, artifact_id: str
) -> list[Finding]:
    """Read a version catalog, raising BuildFileError when it is malformed."""
    name = relative_path(path, root=root)
    try:
        catalog = tomllib.loads(read_text(path, root=root))
    except tomllib.TOMLDecodeError as error:
        raise BuildFileError(f"{name}: malformed TOML: {error}") from error

    versions = catalog.get("versions", {})
    libraries = catalog.get("libraries", {})
    if not isinstance(versions, dict) or not isinstance(libraries, dict):
        raise BuildFileError(f"{name}: [versions] and [libraries] must be tables")

    findings = []
    for alias, entry in libraries.items():
        if catalog_coordinates(entry) != (group_id, artifact_id):
            continue
        findings.append(catalog_finding(name, alias, entry, versions))
    return findings[:1]


def catalog_coordinates(entry: object) -> tuple[str, str] | None:
    if isinstance(entry, str):
        parts = entry.split(":")
        return (parts[0], parts[1]) if len(parts) >= 2 else None
    if not isinstance(entry, dict):
        return None
    module = entry.get("module")
    if isinstance(module, str) and ":" in module:
        group, artifact = module.split(":", 1)
        return group, artifact
    return entry.get("group"), entry.get("name")


def catalog_finding(
    name: str, alias: str, entry: str | dict, versions: dict
) -> Finding:
    where = f"{name}: library {alias}"
    if isinstance(entry, str):
        parts = entry.split(":")
        version = parts[2] if len(parts) > 2 else None
        step = "inline version"
    else:
        version, step = catalog_entry_version(entry.get("version"), versions)
    if version is None:
        return Finding(name, None, f"{where}: {step}")
    valid_version, reason = checked_version(version)
    if valid_version is None:
        return Finding(name, None, f"{where}, {step}: {reason}")
    return Finding(name, valid_version, f"{where}, {step}")


def catalog_entry_version(value: object, versions: dict) -> tuple[str | None, str]:
    """Return the version a library entry gives and how it gives it."""
    if value is None:
        return None, "no version (set by a platform or plugin)"
    if isinstance(value, dict) and "ref" in value:
        reference = value["ref"]
        if reference not in versions:
            return None, f"version.ref {reference} is not in [versions]"
        return rich_version(versions[reference]), f"version.ref {reference}"
    return rich_version(value), "inline version"


def rich_version(value: object) -> str | None:
    """Return a plain version from a catalog version: require, strictly, prefer."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("require", "strictly", "prefer"):
            if isinstance(value.get(key), str):
                return value[key]
    return None


# Entry point


def load_script(path: Path, *, root: Path) -> Script:
    text = strip_comments(read_text(path, root=root))
    return Script(
        path=path,
        name=relative_path(path, root=root),
        text=text,
        kotlin=path.suffix == ".kts",
        variables=collect_variables(text),
    )


def find_declarations(
    root: Path, *, group_id: str, artifact_id: str, problems: list[str]
) -> list[Finding]:
    """Resolve the library's version in every Gradle file under ``root``."""
    scripts: list[Script] = []
    properties: dict[Path, dict[str, str]] = {}
    findings: list[Finding] = []
    names = SCRIPT_NAMES | {PROPERTIES_NAME}
    for path in iter_build_files(root, names, suffixes=(CATALOG_SUFFIX,)):
        try:
            if path.name == PROPERTIES_NAME:
                properties[path.parent] = parse_properties(read_text(path, root=root))
            elif path.name.endswith(CATALOG_SUFFIX):
                findings += catalog_findings(
                    path, root=root, group_id=group_id, artifact_id=artifact_id
                )
            else:
                scripts.append(load_script(path, root=root))
        except BuildFileError as error:
            problems.append(str(error))

    resolver = GradleResolver(
        root, scripts, properties, group_id=group_id, artifact_id=artifact_id
    )
    for script in scripts:
        finding = resolver.resolve(script)
        if finding is not None:
            findings.append(finding)
    return findings
