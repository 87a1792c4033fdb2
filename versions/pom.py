"""Resolve the version of a library that Maven POMs in a repository declare.

Only the POMs in the repository are read. A parent POM or an imported BOM
that Maven would download from a remote repository leaves the version
unresolved. The exception is a BOM named after the library
(``com.google.guava:guava-bom`` for ``com.google.guava:guava``), because
its version is the library's version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeElementTree
from defusedxml import EntitiesForbidden, ExternalReferenceForbidden

from versions.buildfiles import (
    BuildFileError,
    Finding,
    checked_version,
    iter_build_files,
    read_bytes,
    relative_path,
)

POM_NAMES = frozenset({"pom.xml"})
PROPERTY_REFERENCE = re.compile(r"\$\{([^}]*)\}")
MAX_PROPERTY_DEPTH = 32
PROJECT_VERSION_NAMES = ("project.version", "pom.version", "version")
PARENT_VERSION_NAMES = ("project.parent.version", "parent.version")


class Unresolved(Exception):
    """A version that the repository's POMs do not determine."""


@dataclass
class Dependency:
    group_id: str
    artifact_id: str
    version: str | None
    scope: str
    type: str


@dataclass
class ParentReference:
    group_id: str
    artifact_id: str
    version: str | None
    # None is Maven's default "../pom.xml", and "" turns the local lookup off.
    relative_path: str | None


@dataclass
class Pom:
    """The parts of one POM that decide a dependency's version."""

    path: Path
    name: str
    group_id: str | None
    artifact_id: str | None
    version: str | None
    parent: ParentReference | None
    properties: dict[str, str] = field(default_factory=dict)
    dependencies: list[Dependency] = field(default_factory=list)
    managed: list[Dependency] = field(default_factory=list)

    @property
    def effective_group_id(self) -> str | None:
        return self.group_id or (self.parent.group_id if self.parent else None)

    def describe(self, other: Pom) -> str:
        """Name ``other`` as seen from this POM, for ``source`` texts."""
        if other is self:
            return other.name
        return f"parent {other.name}"


# Parsing


def local_name(element: Element) -> str:
    """Return a tag without its namespace, so POMs with and without one read alike."""
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def child(element: Element, name: str) -> Element | None:
    for item in element:
        if local_name(item) == name:
            return item
    return None


def children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [item for item in element if local_name(item) == name]


def text_of(element: Element | None, name: str) -> str | None:
    found = child(element, name) if element is not None else None
    if found is None or found.text is None:
        return None
    return found.text.strip()


def parse_dependencies(container: Element | None) -> list[Dependency]:
    return [
        Dependency(
            group_id=text_of(item, "groupId") or "",
            artifact_id=text_of(item, "artifactId") or "",
            version=text_of(item, "version"),
            scope=text_of(item, "scope") or "compile",
            type=text_of(item, "type") or "jar",
        )
        for item in children(container, "dependency")
    ]


def parse_parent(project: Element) -> ParentReference | None:
    element = child(project, "parent")
    if element is None:
        return None
    relative = child(element, "relativePath")
    relative_text = None
    if relative is not None:
        relative_text = (relative.text or "").strip()
    return ParentReference(
        group_id=text_of(element, "groupId") or "",
        artifact_id=text_of(element, "artifactId") or "",
        version=text_of(element, "version"),
        relative_path=relative_text,
    )


def parse_xml(content: bytes, *, name: str) -> Element:
    """Parse a POM, rejecting entity declarations and external references.

    The parser reads the bytes, so the XML declaration's encoding applies.
    """
    try:
        return SafeElementTree.fromstring(content, forbid_dtd=False)
    except EntitiesForbidden as error:
        if error.sysid or error.pubid:
            reason = (
                f"declares external entity {error.name!r} ({error.sysid}); "
                "external entities are rejected because they read files or URLs"
            )
        else:
            reason = (
                f"declares entity {error.name!r}; entity declarations are "
                "rejected because nested entities can expand to gigabytes "
                "(billion laughs)"
            )
        raise BuildFileError(f"{name}: {reason}") from error
    except ExternalReferenceForbidden as error:
        raise BuildFileError(
            f"{name}: refers to external resource {error.sysid!r}; external "
            "references are rejected because they read files or URLs"
        ) from error
    except ParseError as error:
        raise BuildFileError(f"{name}: malformed XML: {error}") from error


def load_pom(path: Path, *, root: Path) -> Pom:
    """Read one POM, raising BuildFileError when it cannot be used."""
    name = relative_path(path, root=root)
    project = parse_xml(read_bytes(path, root=root), name=name)
    if local_name(project) != "project":
        raise BuildFileError(
            f"{name}: root element is <{local_name(project)}>, expected <project>"
        )

    # NOTE: properties set inside <profiles> are not read, so a version
    # defined only in a profile stays unresolved.
    properties = {}
    properties_element = child(project, "properties")
    if properties_element is not None:
        for element in properties_element:
            properties[local_name(element)] = (element.text or "").strip()

    dependencies = parse_dependencies(child(project, "dependencies"))
    managed = parse_dependencies(
        _dependencies_of(child(project, "dependencyManagement"))
    )
    for profile in children(child(project, "profiles"), "profile"):
        dependencies += parse_dependencies(child(profile, "dependencies"))
        managed += parse_dependencies(
            _dependencies_of(child(profile, "dependencyManagement"))
        )

    return Pom(
        path=path,
        name=name,
        group_id=text_of(project, "groupId"),
        artifact_id=text_of(project, "artifactId"),
        version=text_of(project, "version"),
        parent=parse_parent(project),
        properties=properties,
        dependencies=dependencies,
        managed=managed,
    )


def _dependencies_of(management: Element | None) -> Element | None:
    return child(management, "dependencies") if management is not None else None


# Resolution


@dataclass
class Lineage:
    """A POM and its parents found in the repository, child first."""

    poms: list[Pom]
    # The reason the chain stops early, when a parent is not in the repository.
    missing_parent: str | None = None

    @property
    def head(self) -> Pom:
        return self.poms[0]

    def not_found(self, what: str) -> Unresolved:
        reason = f"{what} in {self.head.name} or its parent POMs in the repository"
        if self.missing_parent:
            reason += f", and {self.missing_parent}"
        return Unresolved(reason)


class PomResolver:
    """Resolve a library's version in any POM of one repository."""

    def __init__(
        self,
        poms: list[Pom],
        *,
        root: Path,
        malformed: set[Path],
        problems: list[str],
        group_id: str,
        artifact_id: str,
    ) -> None:
        self.root = root.resolve()
        self.problems = problems
        self.by_path = {pom.path.resolve(): pom for pom in poms}
        self.by_coordinates = {
            (pom.effective_group_id, pom.artifact_id): pom for pom in poms
        }
        self.malformed = {path.resolve() for path in malformed}
        self.group_id = group_id
        self.artifact_id = artifact_id

    def declares(self, pom: Pom) -> bool:
        return any(
            self.is_library(dependency) and dependency.scope != "import"
            for dependency in pom.dependencies + pom.managed
        )

    def is_library(self, dependency: Dependency) -> bool:
        return (dependency.group_id, dependency.artifact_id) == (
            self.group_id,
            self.artifact_id,
        )

    def is_library_bom(self, dependency: Dependency) -> bool:
        """Return whether a BOM's version is the library's own version."""
        group_name = self.group_id.rsplit(".", 1)[-1]
        return dependency.group_id == self.group_id and dependency.artifact_id in (
            f"{self.artifact_id}-bom",
            f"{group_name}-bom",
        )

    def resolve(self, pom: Pom) -> Finding:
        """Resolve the library's version in a POM that declares it."""
        lineage = self.lineage(pom)
        try:
            version, steps = self.declared_version(lineage)
        except Unresolved as error:
            return Finding(path=pom.name, version=None, source=f"{pom.name}: {error}")

        source = f"{pom.name}: " + ", ".join(steps)
        valid_version, reason = checked_version(version)
        if valid_version is None:
            return Finding(path=pom.name, version=None, source=f"{source}: {reason}")
        return Finding(path=pom.name, version=valid_version, source=source)

    def declared_version(self, lineage: Lineage) -> tuple[str, list[str]]:
        pom = lineage.head
        candidates = [
            ("<dependencies>", dependency)
            for dependency in pom.dependencies
            if self.is_library(dependency)
        ] + [
            ("<dependencyManagement>", dependency)
            for dependency in pom.managed
            if self.is_library(dependency) and dependency.scope != "import"
        ]
        for section, dependency in candidates:
            if dependency.version:
                return self.interpolate(
                    dependency.version,
                    lineage,
                    direct=f"version {dependency.version} in {section}",
                )
        return self.managed_version(lineage, seen_boms=set())

    def managed_version(
        self, lineage: Lineage, *, seen_boms: set[Path]
    ) -> tuple[str, list[str]]:
        """Find the version in <dependencyManagement>, as Maven fills a missing one.

        The POM's own entries win over its parents', and direct entries
        win over imported BOMs.
        """
        head = lineage.head
        for owner in lineage.poms:
            for dependency in owner.managed:
                if self.is_library(dependency) and dependency.version:
                    value, steps = self.interpolate(
                        dependency.version,
                        lineage,
                        direct=f"version {dependency.version}",
                    )
                    where = f"<dependencyManagement> in {head.describe(owner)}"
                    return value, [where, *steps]

        for owner in lineage.poms:
            for dependency in owner.managed:
                if dependency.scope != "import" or not dependency.version:
                    continue
                found = self.bom_version(
                    dependency, lineage=lineage, seen_boms=seen_boms
                )
                if found is not None:
                    value, steps = found
                    coordinates = f"{dependency.group_id}:{dependency.artifact_id}"
                    where = f"imported BOM {coordinates} in {head.describe(owner)}"
                    return value, [where, *steps]

        raise lineage.not_found("no <version> or <dependencyManagement> entry")

    def bom_version(
        self, dependency: Dependency, *, lineage: Lineage, seen_boms: set[Path]
    ) -> tuple[str, list[str]] | None:
        """Return the library version an imported BOM gives, if the repository shows it."""
        if self.is_library_bom(dependency):
            return self.interpolate(
                dependency.version or "",
                lineage,
                direct=f"version {dependency.version}",
            )
        bom = self.by_coordinates.get((dependency.group_id, dependency.artifact_id))
        if bom is None or bom.path in seen_boms:
            return None
        seen_boms.add(bom.path)
        try:
            value, steps = self.managed_version(self.lineage(bom), seen_boms=seen_boms)
        except Unresolved:
            return None
        return value, [f"<dependencyManagement> in {bom.name}", *steps]

    def lineage(self, pom: Pom) -> Lineage:
        poms = [pom]
        while True:
            reference = poms[-1].parent
            if reference is None:
                return Lineage(poms)
            try:
                parent = self.parent_of(poms[-1])
            except Unresolved as error:
                return Lineage(poms, missing_parent=str(error))
            if parent in poms:
                return Lineage(
                    poms, missing_parent=f"parent of {poms[-1].name} forms a cycle"
                )
            poms.append(parent)

    def parent_of(self, pom: Pom) -> Pom:
        """Find the parent POM as Maven does: relativePath, then coordinates."""
        reference = pom.parent
        assert reference is not None
        coordinates = (
            f"{reference.group_id}:{reference.artifact_id}:{reference.version}"
        )
        if reference.relative_path != "":
            candidate = pom.path.parent / (reference.relative_path or "../pom.xml")
            if candidate.is_dir():
                candidate = candidate / "pom.xml"
            candidate = candidate.resolve()
            if candidate in self.malformed:
                raise Unresolved(
                    f"parent {coordinates} is a malformed POM (see problems)"
                )
            found = self.by_path.get(candidate) or self.load_outside_walk(candidate)
            if found is not None and self.matches(found, reference):
                return found

        found = self.by_coordinates.get((reference.group_id, reference.artifact_id))
        if found is not None:
            return found
        raise Unresolved(
            f"parent {coordinates} is not in the repository (Maven would "
            "download it from a remote repository)"
        )

    def load_outside_walk(self, path: Path) -> Pom | None:
        """Load a parent POM in a skipped folder, because Maven reads it there."""
        if not path.is_file() or self.root not in path.parents:
            return None
        try:
            pom = load_pom(path, root=self.root)
        except BuildFileError as error:
            self.problems.append(str(error))
            self.malformed.add(path)
            raise Unresolved(
                f"parent at {relative_path(path, root=self.root)} is a malformed "
                "POM (see problems)"
            ) from error
        self.by_path[path] = pom
        return pom

    @staticmethod
    def matches(pom: Pom, reference: ParentReference) -> bool:
        return (pom.effective_group_id, pom.artifact_id) == (
            reference.group_id,
            reference.artifact_id,
        )

    def interpolate(
        self, text: str, lineage: Lineage, *, direct: str
    ) -> tuple[str, list[str]]:
        """Replace ``${name}`` references, describing the first one used.

        Properties come from the POM being resolved, then its parents, so
        a child's property overrides its parent's, as in Maven.
        """
        steps: list[str] = []
        value = self.expand(text, lineage, steps=steps, depth=0)
        return value, steps[:1] or [direct]

    def expand(
        self, text: str, lineage: Lineage, *, steps: list[str], depth: int
    ) -> str:
        if depth > MAX_PROPERTY_DEPTH:
            raise Unresolved(
                f"property references nest more than {MAX_PROPERTY_DEPTH} deep "
                f"in {text!r}, so a property probably refers to itself"
            )

        def replace(match: re.Match) -> str:
            name = match.group(1)
            raw, owner = self.property_value(name, lineage)
            if owner is not None:
                steps.append(f"property {name} in {lineage.head.describe(owner)}")
            else:
                steps.append(f"${{{name}}} of {lineage.head.name}")
            return self.expand(raw, lineage, steps=steps, depth=depth + 1)

        return PROPERTY_REFERENCE.sub(replace, text)

    def property_value(self, name: str, lineage: Lineage) -> tuple[str, Pom | None]:
        """Return a property's raw value and the POM defining it (None: built in)."""
        head = lineage.head
        built_in = None
        if name in PROJECT_VERSION_NAMES:
            built_in = head.version or (head.parent.version if head.parent else None)
        elif name in PARENT_VERSION_NAMES:
            built_in = head.parent.version if head.parent else None
        elif name in ("project.groupId", "pom.groupId", "groupId"):
            built_in = head.effective_group_id
        if built_in:
            return built_in, None

        for owner in lineage.poms:
            if name in owner.properties:
                return owner.properties[name], owner
        raise lineage.not_found(f"property {name} is not defined")


def find_declarations(
    root: Path, *, group_id: str, artifact_id: str, problems: list[str]
) -> list[Finding]:
    """Resolve the library's version in every POM under ``root`` that declares it."""
    poms: list[Pom] = []
    malformed: set[Path] = set()
    for path in iter_build_files(root, POM_NAMES):
        try:
            poms.append(load_pom(path, root=root))
        except BuildFileError as error:
            problems.append(str(error))
            malformed.add(path)

    resolver = PomResolver(
        poms,
        root=root,
        malformed=malformed,
        problems=problems,
        group_id=group_id,
        artifact_id=artifact_id,
    )
    return [resolver.resolve(pom) for pom in poms if resolver.declares(pom)]
