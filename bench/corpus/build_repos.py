"""Build git repositories of multi-module Maven projects from the JDK sources,
for the corpus preparation benchmark.

Two corpus projects and one client project are built from the real Java files
in the JDK 17 src.zip:

- atlas: an aggregator root POM with the guava.version property, a parent POM
  in atlas-parent that manages Guava, and modules at depth 1 and 2 whose POMs
  take the version from dependencyManagement or from ${guava.version}.
  Release tags are v1.0.0 style, and the Guava version moves from 14.0.1
  through 18.0, 21.0, 23.0-jre and 28.2-jre to 31.1-jre.
- borealis: a root POM that is its modules' parent and manages Guava with a
  literal version, and borealis-1.0.0 style tags on 18.0, 19.0, 21.0 and
  28.2-jre.
- client: one module on Guava 18.0 with copies of some corpus methods that
  use Guava, renamed (type 2) and with one statement more (type 3).

Between releases a few percent of the files change: methods are added,
removed or changed, and files move to another package. Methods that use
Guava 18 APIs removed in Guava 21 are migrated at the first release on 19.0
or 21.0. Tags named nightly-..., test-... and ...-SNAPSHOT mark other
commits and are not releases.

The build is deterministic: the same seed and sizes give the same commits.

Usage: python -m bench.corpus.build_repos [--dest FOLDER] [--small] [--rebuild]
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.corpus import guava, java_edits, poms
from bench.corpus.guava import GuavaMethod

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
DEFAULT_DEST = Path(__file__).resolve().parents[2] / "var" / "bench" / "corpus"
# Change it when the generated content changes, so old repositories are rebuilt.
GENERATOR_VERSION = "4"
FINGERPRINT_KEY = "corpus.fingerprint"
FIRST_COMMIT_TIME = 1451606400  # 2016-01-01 00:00 UTC
COMMIT_INTERVAL_SECONDS = 5 * 24 * 3600
GIT_TIMEOUT_SECONDS = 300
# Methods of more lines are not copied into other files by an edit.
MAX_COPIED_METHOD_LINES = 40
ATLAS_GUAVA = ("14.0.1", "18.0", "21.0", "23.0-jre", "28.2-jre", "31.1-jre")
BOREALIS_GUAVA = ("18.0", "19.0", "21.0", "28.2-jre")
CLIENT_GUAVA = "18.0"
CLIENT_TAG = "v2.4.0"


class CorpusError(Exception):
    """A repository could not be generated."""


@dataclass(frozen=True)
class CorpusSize:
    """Sizes of the generated projects.

    `change_share` is the share of a project's Java files edited between two
    releases.
    """

    atlas_files: int = 2000
    atlas_releases: int = 24
    atlas_modules: int = 5
    borealis_files: int = 600
    borealis_releases: int = 20
    client_files: int = 200
    guava_files: int = 16
    client_copies: int = 12
    change_share: float = 0.03
    seed: int = 2018


SMALL = CorpusSize(
    atlas_files=60,
    atlas_releases=5,
    atlas_modules=3,
    borealis_files=30,
    borealis_releases=4,
    client_files=15,
    guava_files=4,
    client_copies=4,
)


@dataclass(frozen=True)
class Module:
    """A jar module: its folder, the JDK packages its files come from, and
    whether its POM names ${guava.version} or leaves it to the parent."""

    path: str
    packages: tuple[str, ...]
    guava_property: bool = False

    @property
    def artifact(self) -> str:
        return self.path.rsplit("/", 1)[-1]


ATLAS_MODULES = (
    Module("atlas-util", ("java.base/java/util/",)),
    Module("extras/atlas-net", ("java.base/java/net/", "java.base/sun/net/"), True),
    Module(
        "atlas-io",
        (
            "java.base/java/io/",
            "java.base/java/nio/",
            "java.base/sun/nio/",
            "java.base/com/sun/",
        ),
        True,
    ),
    Module(
        "extras/atlas-time",
        ("java.base/java/time/", "java.base/java/text/", "java.base/sun/util/"),
    ),
    Module(
        "atlas-security",
        ("java.base/java/security/", "java.base/sun/security/", "java.base/javax/"),
        True,
    ),
)
BOREALIS_MODULES = (
    Module("borealis-core", ("java.base/java/lang/", "java.base/jdk/internal/")),
    Module("borealis-xml", ("java.xml/javax/xml/", "java.xml/org/w3c/")),
    Module("borealis-sql", ("java.sql/", "java.logging/")),
)
CLIENT_MODULE = Module(
    "", ("java.management/", "java.naming/", "java.prefs/", "java.net.http/")
)


@dataclass
class JavaFile:
    """A Java file of a generated project.

    `base` is the file's text without Guava methods. A file with `methods`
    gets them appended, in their Guava 21 form once `migrated` is set.
    """

    base: bytes
    methods: list[GuavaMethod] = field(default_factory=list)
    migrated: bool = False

    def content(self) -> bytes:
        if not self.methods:
            return self.base
        members = "\n".join(m.render(migrated=self.migrated) for m in self.methods)
        imports = guava.import_lines(self.methods, migrated=self.migrated)
        return java_edits.add_members(self.base, members, imports) or self.base


@dataclass(frozen=True)
class BuiltRepository:
    """A generated repository and what it contains."""

    name: str
    path: Path
    tags: tuple[str, ...]
    release_tags: tuple[str, ...]
    guava_versions: tuple[str, ...]
    java_files: int
    created: bool


class Repository:
    """A git repository written through the git command line, with a fixed
    author and commit dates, so the same content gives the same commits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.commits = 0
        self.path.mkdir(parents=True, exist_ok=True)
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *arguments: str) -> str:
        moment = FIRST_COMMIT_TIME + self.commits * COMMIT_INTERVAL_SECONDS
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.path),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Corpus Builder",
            "GIT_AUTHOR_EMAIL": "corpus@updatehelper.invalid",
            "GIT_COMMITTER_NAME": "Corpus Builder",
            "GIT_COMMITTER_EMAIL": "corpus@updatehelper.invalid",
            "GIT_AUTHOR_DATE": f"@{moment} +0000",
            "GIT_COMMITTER_DATE": f"@{moment} +0000",
        }
        try:
            completed = subprocess.run(
                ["git", *arguments],
                cwd=self.path,
                env=env,
                check=True,
                capture_output=True,
                timeout=GIT_TIMEOUT_SECONDS,
            )
        except subprocess.CalledProcessError as error:
            stderr = error.stderr.decode(errors="replace").strip()
            raise CorpusError(
                f"git {' '.join(arguments[:2])} failed in {self.path}: {stderr}"
            ) from error
        return completed.stdout.decode(errors="replace").strip()

    def write(self, files: dict[str, bytes]) -> None:
        for relative, content in files.items():
            path = self.path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)

    def delete(self, relative: str) -> None:
        (self.path / relative).unlink()

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        self.commits += 1

    def tag(self, name: str, message: str) -> None:
        self.git("tag", "-a", name, "-m", message)


class JdkSources:
    """The Java files of the JDK 17 src.zip, read lazily by package prefix."""

    def __init__(self, path: Path = JDK_SOURCES) -> None:
        if not path.is_file():
            raise CorpusError(
                f"JDK sources not found at {path}. Install openjdk-17-source "
                "(Debian and Ubuntu: apt-get install openjdk-17-source)."
            )
        self.archive = zipfile.ZipFile(path)
        self.names = sorted(
            name
            for name in self.archive.namelist()
            if name.endswith(".java")
            and not name.endswith(("module-info.java", "package-info.java"))
        )

    def under(self, prefixes: tuple[str, ...]) -> list[str]:
        return [name for name in self.names if name.startswith(prefixes)]

    def read(self, name: str) -> bytes:
        return self.archive.read(name)


def spread_versions(versions: tuple[str, ...], releases: int) -> list[str]:
    """Return one Guava version per release, each version used by a run of
    consecutive releases of nearly equal length, in the given order."""
    if releases < len(versions):
        versions = versions[:releases]
    runs = [releases // len(versions)] * len(versions)
    for index in range(releases % len(versions)):
        runs[index] += 1
    return [
        version for version, run in zip(versions, runs, strict=True) for _ in range(run)
    ]


def release_number(index: int) -> str:
    """Return the version of the release at `index`: 1.0.0, 1.1.0, ... with a
    patch release after every third minor release."""
    minor, patch = divmod(index, 4)
    if patch < 3:
        return f"1.{minor * 3 + patch}.0"
    return f"1.{minor * 3 + 2}.1"


def source_path(module: Module, member: str) -> str:
    """Map a src.zip member such as java.base/java/util/List.java to its path
    in a module, such as atlas-util/src/main/java/java/util/List.java."""
    relative = member.split("/", 1)[1]
    prefix = f"{module.path}/" if module.path else ""
    return f"{prefix}src/main/java/{relative}"


def pick_files(
    jdk: JdkSources,
    modules: tuple[Module, ...],
    *,
    total: int,
    hosts: int,
    rng: random.Random,
) -> tuple[dict[str, bytes], list[tuple[str, list[str]]]]:
    """Pick `total` Java files, shared over the modules in proportion to
    their JDK files, `hosts` of them able to host Guava methods. Return the files by repository path,
    and the host paths with their classes' instance fields."""
    files: dict[str, bytes] = {}
    found: list[tuple[str, list[str]]] = []
    members_by_module = [jdk.under(module.packages) for module in modules]
    totals = _share_out(total, [len(members) for members in members_by_module])
    for number, (module, members, module_total) in enumerate(
        zip(modules, members_by_module, totals, strict=True)
    ):
        # Hosts are spread over the modules, the first modules taking the rest.
        module_hosts = hosts // len(modules) + (number < hosts % len(modules))
        rng.shuffle(members)
        module_found = []
        for member in members:
            if len(module_found) == module_hosts:
                break
            text = jdk.read(member)
            fields = host_fields(text)
            if fields:
                module_found.append((source_path(module, member), text, fields))
        for path, text, fields in module_found:
            files[path] = text
            found.append((path, fields))
        rest = [m for m in members if source_path(module, m) not in files]
        for member in sorted(rest[: module_total - len(module_found)]):
            files[source_path(module, member)] = jdk.read(member)
    if len(found) < hosts:
        raise CorpusError(
            f"Only {len(found)} JDK files under {[m.packages for m in modules]} "
            f"can host Guava methods, {hosts} needed. Lower guava_files."
        )
    return files, found


def _share_out(total: int, available: list[int]) -> list[int]:
    """Split `total` files over modules in proportion to the files each one
    can take, raising CorpusError when they cannot take them all."""
    if total > sum(available):
        raise CorpusError(
            f"{total} Java files requested, but the JDK packages of the modules "
            f"have only {sum(available)}. Lower the file count."
        )
    shares = [total * count // sum(available) for count in available]
    largest = available.index(max(available))
    shares[largest] += total - sum(shares)
    return shares


def host_fields(text: bytes) -> list[str]:
    """Return the instance fields of a file that can host Guava methods, or an
    empty list. A host has a class with two or more instance fields, no
    Guava import yet, and no use of a class named Objects or Function that
    the Guava imports would hide."""
    if b"Objects" in text or b"com.google" in text or b"Function" in text:
        return []
    fields = java_edits.instance_fields(text)
    return fields if len(fields) >= 2 else []


_KIND_CYCLE = (
    guava.TO_STRING_HELPER,
    guava.FUTURES_TRANSFORM,
    guava.FIRST_NON_NULL,
    guava.IMMUTABLE_LIST,
)
_METHOD_NAMES = {
    guava.TO_STRING_HELPER: "toDebugString",
    guava.FUTURES_TRANSFORM: "describeAsync",
    guava.FIRST_NON_NULL: "{field}OrDefault",
    guava.IMMUTABLE_LIST: "fieldSnapshot",
}


def guava_methods(number: int, fields: list[str]) -> list[GuavaMethod]:
    """Return the two Guava methods of the `number`-th host file, reading the
    host class's first two instance fields."""
    kinds = (_KIND_CYCLE[number % 4], _KIND_CYCLE[(number + 2) % 4])
    return [
        GuavaMethod(
            kind=kind,
            name=_METHOD_NAMES[kind].format(field=fields[0].lstrip("_")),
            fields=(fields[0], fields[1]),
        )
        for kind in kinds
    ]


@dataclass
class GuavaHost(JavaFile):
    """A Java file with Guava methods, migrated from the release on
    `migrate_at` on."""

    migrate_at: str = ""


@dataclass(frozen=True)
class ProjectPlan:
    """Layout and release history of a generated corpus project."""

    name: str
    group: str
    tag_prefix: str
    modules: tuple[Module, ...]
    files: int
    guava_versions: tuple[str, ...]
    # Guava version whose first release migrates the host file, by the host's
    # number: even numbers use the first entry, odd numbers the second.
    migrate_at: tuple[str, str]
    # Folder of the parent POM, empty when the root POM is the modules' parent.
    parent: str = ""

    def release_tag(self, index: int) -> str:
        return f"{self.tag_prefix}{release_number(index)}"

    def other_tag(self, index: int, moment: int) -> str:
        """Return the tag of a commit that is not a release, made before
        release `index`."""
        upcoming = release_number(index)
        day = _day(moment)
        names = (
            f"nightly-{day}",
            f"test-{upcoming}",
            f"{self.tag_prefix}{upcoming}-SNAPSHOT",
        )
        return names[(index // 3) % len(names)]


def _day(moment: int) -> str:
    return datetime.datetime.fromtimestamp(moment, datetime.UTC).strftime("%Y%m%d")


def atlas_plan(size: CorpusSize) -> ProjectPlan:
    return ProjectPlan(
        name="atlas",
        group="org.atlas",
        tag_prefix="v",
        modules=ATLAS_MODULES[: size.atlas_modules],
        files=size.atlas_files,
        guava_versions=tuple(spread_versions(ATLAS_GUAVA, size.atlas_releases)),
        migrate_at=("21.0", "21.0"),
        parent="atlas-parent",
    )


def borealis_plan(size: CorpusSize) -> ProjectPlan:
    return ProjectPlan(
        name="borealis",
        group="io.borealis",
        tag_prefix="borealis-",
        modules=BOREALIS_MODULES,
        files=size.borealis_files,
        guava_versions=tuple(spread_versions(BOREALIS_GUAVA, size.borealis_releases)),
        migrate_at=("19.0", "21.0"),
    )


def write_poms(
    repository: Repository, plan: ProjectPlan, *, version: str, guava_version: str
) -> None:
    """Write every POM of a corpus project for one release."""
    files = _root_poms(plan, version=version, guava_version=guava_version)
    parent_artifact = plan.parent or plan.name
    nested = [m.path for m in plan.modules if "/" in m.path]
    for group in sorted({path.split("/")[0] for path in nested}):
        files[f"{group}/pom.xml"] = poms.intermediate_aggregator(
            group=plan.group,
            artifact=f"{plan.name}-{group}",
            parent_artifact=parent_artifact,
            parent_path=f"../{plan.parent}/pom.xml" if plan.parent else "",
            version=version,
            modules=[p.split("/", 1)[1] for p in nested if p.startswith(f"{group}/")],
        )
    for module in plan.modules:
        up = "../" * (module.path.count("/") + 1)
        files[f"{module.path}/pom.xml"] = poms.module_pom(
            group=plan.group,
            artifact=module.artifact,
            parent_artifact=parent_artifact,
            parent_path=f"{up}{plan.parent}/pom.xml" if plan.parent else "",
            version=version,
            guava_version="${guava.version}" if module.guava_property else "",
        )
    repository.write({path: text.encode() for path, text in files.items()})


def _root_poms(plan: ProjectPlan, *, version: str, guava_version: str) -> dict:
    """Build the root POM, and the parent POM when the project has one."""
    depth_one = [m.path for m in plan.modules if "/" not in m.path]
    groups = sorted({m.path.split("/")[0] for m in plan.modules if "/" in m.path})
    if not plan.parent:
        root = poms.managing_root(
            group=plan.group,
            artifact=plan.name,
            version=version,
            modules=[*depth_one, *groups],
            guava=guava_version,
        )
        return {"pom.xml": root}
    root = poms.aggregator_root(
        group=plan.group,
        artifact=plan.name,
        version=version,
        modules=[plan.parent, *depth_one, *groups],
        guava=guava_version,
    )
    parent = poms.parent_pom(
        group=plan.group,
        artifact=plan.parent,
        root_artifact=plan.name,
        version=version,
    )
    return {"pom.xml": root, f"{plan.parent}/pom.xml": parent}


EDIT_KINDS = ("change", "remove", "add", "move")
EDIT_WEIGHTS = (5, 2, 2, 1)


def edit_files(
    files: dict[str, JavaFile], *, count: int, rng: random.Random
) -> tuple[set[str], set[str]]:
    """Make `count` edits to files without Guava methods, changing `files` in
    place. Return the paths written and the paths deleted."""
    paths = sorted(path for path, java in files.items() if not java.methods)
    written: set[str] = set()
    deleted: set[str] = set()
    for _ in range(count * 10):
        if count == 0:
            break
        path = rng.choice(paths)
        kind = rng.choices(EDIT_KINDS, weights=EDIT_WEIGHTS)[0]
        if kind == "move":
            moved = _move(files, path)
            if moved is None:
                continue
            paths[paths.index(path)] = moved
            written.discard(path)
            deleted.add(path)
            written.add(moved)
        else:
            edited = _edit(files, paths, path, kind, rng)
            if edited is None:
                continue
            files[path] = JavaFile(base=edited)
            written.add(path)
        count -= 1
    return written, deleted


def _edit(
    files: dict[str, JavaFile],
    paths: list[str],
    path: str,
    kind: str,
    rng: random.Random,
) -> bytes | None:
    source = files[path].base
    if kind == "change":
        return java_edits.change_statement(source, rng)
    if kind == "remove":
        return java_edits.remove_method(source, rng)
    donor = files[rng.choice(paths)].base
    texts = [
        text
        for text in java_edits.method_texts(donor)
        if text.count("\n") < MAX_COPIED_METHOD_LINES
    ]
    if not texts:
        return None
    return java_edits.add_method(source, rng.choice(texts), suffix="Internal")


def _move(files: dict[str, JavaFile], path: str) -> str | None:
    folder, name = path.rsplit("/", 1)
    moved = f"{folder}/internal/{name}"
    if "/internal/" in path or moved in files:
        return None
    content = java_edits.move_to_package(files[path].base, "internal")
    if content is None:
        return None
    del files[path]
    files[moved] = JavaFile(base=content)
    return moved


def build_project_history(
    repository: Repository,
    plan: ProjectPlan,
    *,
    files: dict[str, JavaFile],
    size: CorpusSize,
    rng: random.Random,
) -> list[str]:
    """Commit and tag every release of a corpus project, and return the tags
    in the order they were made."""
    tags = []
    repository.write({path: java.content() for path, java in files.items()})
    repository.commit("Import sources")
    order = {version: index for index, version in enumerate(plan.guava_versions)}
    for index, guava_version in enumerate(plan.guava_versions):
        if index:
            edits = max(1, round(len(files) * size.change_share))
            written, deleted = edit_files(files, count=edits, rng=rng)
            for path in sorted(deleted):
                repository.delete(path)
            repository.write({path: files[path].content() for path in sorted(written)})
            repository.commit(f"Change {len(written) + len(deleted)} files")
            if index % 6 == 1:
                moment = (
                    FIRST_COMMIT_TIME + repository.commits * COMMIT_INTERVAL_SECONDS
                )
                tag = plan.other_tag(index, moment)
                repository.tag(tag, "Build that is not a release")
                tags.append(tag)
        repository.write(_migrated_hosts(files, guava_version, order))
        number = release_number(index)
        write_poms(repository, plan, version=number, guava_version=guava_version)
        repository.commit(f"Release {number} on Guava {guava_version}")
        tag = plan.release_tag(index)
        repository.tag(tag, f"Release {number}")
        tags.append(tag)
    return tags


def _migrated_hosts(
    files: dict[str, JavaFile], guava_version: str, order: dict[str, int]
) -> dict[str, bytes]:
    """Migrate the Guava hosts due at `guava_version`, and return their new
    text."""
    changed = {}
    for path, java in sorted(files.items()):
        if not isinstance(java, GuavaHost) or java.migrated:
            continue
        due = order.get(java.migrate_at)
        if due is not None and order[guava_version] >= due:
            java.migrated = True
            changed[path] = java.content()
    return changed


def plan_files(
    plan: ProjectPlan, jdk: JdkSources, size: CorpusSize, rng: random.Random
) -> dict[str, JavaFile]:
    """Pick a corpus project's files and add Guava methods to some of them."""
    raw, hosts = pick_files(
        jdk, plan.modules, total=plan.files, hosts=size.guava_files, rng=rng
    )
    files: dict[str, JavaFile] = {
        path: JavaFile(base=text) for path, text in raw.items()
    }
    for number, (path, fields) in enumerate(hosts):
        files[path] = GuavaHost(
            base=raw[path],
            methods=guava_methods(number, fields),
            migrate_at=plan.migrate_at[number % 2],
        )
    return files


# The client copy of an IMMUTABLE_LIST method, which no job may report
# because its Guava use does not change.
CLIENT_UNCHANGED_METHOD = "valuesSnapshot"
_CLIENT_NAMES = {
    guava.TO_STRING_HELPER: "asText",
    guava.FUTURES_TRANSFORM: "summarizeLater",
    guava.FIRST_NON_NULL: "{field}OrFallback",
    guava.IMMUTABLE_LIST: CLIENT_UNCHANGED_METHOD,
}


def client_files(
    jdk: JdkSources,
    corpus_methods: list[GuavaMethod],
    size: CorpusSize,
    rng: random.Random,
) -> dict[str, JavaFile]:
    """Pick the client's files and add renamed copies of corpus Guava methods:
    every second copy has one statement more."""
    migrated = [m for m in corpus_methods if m.kind in guava.MIGRATED_KINDS]
    unchanged = [m for m in corpus_methods if m.kind == guava.IMMUTABLE_LIST]
    originals = migrated[: size.client_copies] + unchanged[:1]
    raw, hosts = pick_files(
        jdk, (CLIENT_MODULE,), total=size.client_files, hosts=len(originals), rng=rng
    )
    files: dict[str, JavaFile] = {
        path: JavaFile(base=text) for path, text in raw.items()
    }
    for number, (original, (path, fields)) in enumerate(
        zip(originals, hosts, strict=True)
    ):
        copy = GuavaMethod(
            kind=original.kind,
            name=_CLIENT_NAMES[original.kind].format(field=fields[0].lstrip("_")),
            fields=(fields[0], fields[1]),
            parameter="source",
            local="result",
            extra_statement=number % 2 == 1,
        )
        files[path] = JavaFile(base=raw[path], methods=[copy])
    return files


def build_corpus(
    *, dest: Path = DEFAULT_DEST, size: CorpusSize = CorpusSize(), rebuild: bool = False
) -> list[BuiltRepository]:
    """Build atlas, borealis and the client under `dest`, or reuse each one
    that was built before from the same sizes and seed."""
    dest.mkdir(parents=True, exist_ok=True)
    jdk = JdkSources()
    built = []
    corpus_methods: list[GuavaMethod] = []
    for plan in (atlas_plan(size), borealis_plan(size)):
        rng = random.Random(f"{size.seed}-{plan.name}")
        files = plan_files(plan, jdk, size, rng)
        corpus_methods.extend(m for java in files.values() for m in java.methods)

        def write(repository: Repository, plan=plan, files=files, rng=rng):
            tags = build_project_history(
                repository, plan, files=files, size=size, rng=rng
            )
            return tags, plan.guava_versions, len(files)

        built.append(_build_or_reuse(dest / plan.name, size, rebuild, write))

    rng = random.Random(f"{size.seed}-client")
    files = client_files(jdk, corpus_methods, size, rng)

    def write_client(repository: Repository):
        repository.write({path: java.content() for path, java in files.items()})
        pom = poms.single_module(
            group="org.example", artifact="client", version="2.4.0", guava=CLIENT_GUAVA
        )
        repository.write({"pom.xml": pom.encode()})
        repository.commit("Client on Guava 18.0")
        repository.tag(CLIENT_TAG, "Release 2.4.0")
        return [CLIENT_TAG], (CLIENT_GUAVA,), len(files)

    built.append(_build_or_reuse(dest / "client", size, rebuild, write_client))
    return built


def fingerprint(name: str, size: CorpusSize) -> str:
    """Return a digest of what a repository is built from."""
    text = json.dumps([GENERATOR_VERSION, name, asdict(size)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _build_or_reuse(
    path: Path, size: CorpusSize, rebuild: bool, write
) -> BuiltRepository:
    """Reuse the repository at `path` when its fingerprint matches, or build
    it in a temporary folder and rename that into place, so an interrupted
    build never looks finished."""
    digest = fingerprint(path.name, size)
    summary_path = path / ".git" / "corpus-summary.json"
    if path.exists():
        stored = _stored_fingerprint(path)
        if stored is None:
            raise CorpusError(
                f"{path} exists and was not made by this generator. Remove it or "
                "choose another --dest."
            )
        if stored == digest and not rebuild and summary_path.is_file():
            summary = json.loads(summary_path.read_text())
            return _built(path, summary, created=False)
        shutil.rmtree(path)

    temporary = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}-"))
    try:
        repository = Repository(temporary)
        repository.git("config", FINGERPRINT_KEY, digest)
        tags, guava_versions, java_files = write(repository)
        summary = {
            "tags": tags,
            "guava_versions": list(guava_versions),
            "java_files": java_files,
        }
        (temporary / ".git" / "corpus-summary.json").write_text(json.dumps(summary))
        temporary.rename(path)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)
    return _built(path, summary, created=True)


def _stored_fingerprint(path: Path) -> str | None:
    completed = subprocess.run(
        ["git", "config", "--get", FINGERPRINT_KEY],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
    )
    value = completed.stdout.strip()
    return value if completed.returncode == 0 and value else None


def _built(path: Path, summary: dict, *, created: bool) -> BuiltRepository:
    from versions.tags import version_from_tag

    tags = tuple(summary["tags"])
    return BuiltRepository(
        name=path.name,
        path=path,
        tags=tags,
        release_tags=tuple(tag for tag in tags if version_from_tag(tag)),
        guava_versions=tuple(summary["guava_versions"]),
        java_files=summary["java_files"],
        created=created,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus.build_repos",
        description="Build the git repositories of the corpus benchmark from "
        "the JDK 17 sources.",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_DEST,
        help=f"Folder of the repositories (default {DEFAULT_DEST}).",
    )
    parser.add_argument(
        "--small",
        action="store_true",
        help="Build the small corpus that the tests use (60 files, 5 releases).",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="Rebuild repositories that are up to date.",
    )
    options = parser.parse_args(argv)
    size = SMALL if options.small else CorpusSize()
    try:
        built = build_corpus(dest=options.dest, size=size, rebuild=options.rebuild)
    except CorpusError as error:
        print(f"Building the corpus failed: {error}", file=sys.stderr)
        return 1
    for repository in built:
        state = "built" if repository.created else "reused"
        print(
            f"{state} {repository.path}: {repository.java_files} Java files, "
            f"{len(repository.release_tags)} release tags of {len(repository.tags)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
