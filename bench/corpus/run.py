"""Measure corpus preparation at scale, then run one job against the corpus.

The run builds the repositories of bench.corpus.build_repos and works in a
fresh VAR_DIR, with a new SQLite database and local storage. It migrates and
runs `preparedata` on the corpus projects twice, and the second run must
skip every version. Then it starts `runserver` on a free port of 127.0.0.1,
creates a job for the client repository (Guava 18.0 to 21.0) with
POST /api/jobs/, runs `runjobs --once` and checks that the job is FINISHED
with results. Each
management command runs in its own process, so its wall time and peak RSS
are its own. The figures are printed and written to docs/benchmarks.md
under "Corpus preparation at scale".

Usage: python -m bench.corpus.run [--small] [--rebuild] [--profile] [--no-docs]
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus.build_repos import (
    CLIENT_TAG,
    CLIENT_UNCHANGED_METHOD,
    DEFAULT_DEST,
    SMALL,
    BuiltRepository,
    CorpusError,
    CorpusSize,
    build_corpus,
)

BASE_DIR = Path(__file__).resolve().parents[2]
DOCS_PATH = BASE_DIR / "docs" / "benchmarks.md"
SECTION_TITLE = "## Corpus preparation at scale"
SOURCE_VERSION = "18.0"
TARGET_VERSION = "21.0"
SERVER_START_TIMEOUT_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 60
# Variables that would point the commands at another database, storage or
# queue than the fresh ones of this run.
ISOLATED_VARIABLES = (
    "MYSQL_HOST",
    "SQLITE_PATH",
    "REPOSITORIES_DIR",
    "AWS_STORAGE_BUCKET_NAME",
    "SQS_QUEUE_NAME",
)
SUMMARY_LINE = re.compile(
    r"versions: (?P<prepared>\d+) prepared, (?P<skipped>\d+) skipped, "
    r"(?P<reused>\d+) already done, (?P<failed>\d+) failed"
)


class BenchmarkError(Exception):
    """A benchmark step failed; the message names the cause."""


@dataclass
class CommandRun:
    """One management command run: its output, wall time, CPU time, peak RSS
    and the 1-minute load average of the machine when it ended."""

    command: list[str]
    returncode: int
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    load_average: float
    stdout: str
    stderr: str

    def counts(self) -> dict[str, int]:
        """Return the version counts of a preparedata summary line."""
        match = SUMMARY_LINE.search(self.stdout)
        if match is None:
            return {}
        return {name: int(value) for name, value in match.groupdict().items()}


@dataclass
class Figures:
    """Everything the run measured, in the units their names give."""

    size: CorpusSize
    repositories: list[BuiltRepository] = field(default_factory=list)
    build_seconds: float = 0.0
    first: CommandRun | None = None
    second: CommandRun | None = None
    worker: CommandRun | None = None
    versions: dict[str, int] = field(default_factory=dict)
    files: int = 0
    methods: int = 0
    extraction_errors: int = 0
    declared_mismatches: list[str] = field(default_factory=list)
    other_tags_prepared: list[str] = field(default_factory=list)
    job: dict[str, Any] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def manage_py(*arguments: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *arguments]


def run_measured(command: list[str], *, env: dict[str, str]) -> CommandRun:
    """Run a command to completion and measure its wall time, and the CPU
    time and peak RSS that os.wait4 reports for that process alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return CommandRun(
            command=command,
            returncode=process.returncode,
            seconds=seconds,
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            # Linux reports ru_maxrss in kibibytes.
            peak_rss_mb=usage.ru_maxrss / 1024,
            load_average=os.getloadavg()[0],
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
        )


def isolated_environment(var_dir: Path) -> dict[str, str]:
    """Return the environment of the commands: this VAR_DIR, SQLite, local
    storage and the database queue."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ISOLATED_VARIABLES
    }
    env["VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = "updatehelper.settings"
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def setup_django(env: dict[str, str]) -> None:
    """Point this process at the run's database, so it can read the results."""
    import django

    for name in ISOLATED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(
        {name: env[name] for name in ("VAR_DIR", "DJANGO_SETTINGS_MODULE")}
    )
    django.setup()


def write_projects_file(path: Path, repositories: list[BuiltRepository]) -> Path:
    lines = [
        json.dumps({"source": str(repository.path)})
        for repository in repositories
        if repository.name != "client"
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_command(run: CommandRun, step: str) -> None:
    if run.returncode != 0:
        raise BenchmarkError(
            f"{step} exited with code {run.returncode}.\n"
            f"stdout (last lines):\n{_tail(run.stdout)}\n"
            f"stderr (last lines):\n{_tail(run.stderr)}"
        )


def _tail(text: str, lines: int = 30) -> str:
    return "\n".join(text.splitlines()[-lines:])


def read_prepared_figures(figures: Figures) -> None:
    """Count versions by status, files and methods in the database, and check
    the declared Guava version of every release tag against the generator's."""
    from django.db.models import Count, Sum

    from projects.models import ProjectVersion

    versions = ProjectVersion.objects.select_related("project")
    figures.versions = {
        row["status"]: row["total"]
        for row in versions.values("status").annotate(total=Count("id"))
    }
    totals = versions.aggregate(
        files=Sum("files_count"),
        methods=Sum("methods_count"),
        errors=Sum("extraction_errors"),
    )
    figures.files = totals["files"] or 0
    figures.methods = totals["methods"] or 0
    figures.extraction_errors = totals["errors"] or 0

    by_tag = {(v.project.source, v.tag): v for v in versions}
    for repository in figures.repositories:
        if repository.name == "client":
            continue
        source = str(repository.path)
        expected = dict(
            zip(repository.release_tags, repository.guava_versions, strict=True)
        )
        for tag in repository.tags:
            version = by_tag.get((source, tag))
            if tag not in expected:
                if version is not None:
                    figures.other_tags_prepared.append(f"{repository.name} {tag}")
                continue
            declared = version.declared_version if version else "(no row)"
            if declared != expected[tag]:
                figures.declared_mismatches.append(
                    f"{repository.name} {tag}: declared {declared!r}, "
                    f"expected {expected[tag]!r}"
                    + (f" ({version.status_reason})" if version else "")
                )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """Start runserver on a free port of 127.0.0.1 and wait until it responds."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            manage_py("runserver", f"127.0.0.1:{port}", "--noreload"),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchmarkError(
                f"runserver exited with code {process.returncode}; see {log_path}."
            )
        try:
            with urllib.request.urlopen(f"{url}/api/jobs/", timeout=2):
                return process, url
        except urllib.error.HTTPError:
            return process, url
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise BenchmarkError(
        f"runserver did not respond at {url} within "
        f"{SERVER_START_TIMEOUT_SECONDS} s; see {log_path}."
    )


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def http_json(method: str, url: str, body: Any = None) -> Any:
    """Send a JSON request to the local server and return the decoded body."""
    request = urllib.request.Request(
        url,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode())
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")[:2000]
        raise BenchmarkError(
            f"{method} {url} returned HTTP {error.code}: {detail}"
        ) from error
    except (OSError, json.JSONDecodeError) as error:
        raise BenchmarkError(f"{method} {url} failed: {error}") from error


def run_job(figures: Figures, env: dict[str, str], var_dir: Path) -> None:
    """Create a job for the client over HTTP, run the worker once, and read
    the job and every page of its results."""
    client = next(r for r in figures.repositories if r.name == "client")
    process, url = start_server(env, var_dir / "runserver.log")
    try:
        job = http_json(
            "POST",
            f"{url}/api/jobs/",
            {
                "source": str(client.path),
                "commit": CLIENT_TAG,
                "source_version": SOURCE_VERSION,
                "target_version": TARGET_VERSION,
            },
        )
        figures.worker = run_measured(manage_py("runjobs", "--once"), env=env)
        check_command(figures.worker, "runjobs --once")
        figures.job = http_json("GET", f"{url}/api/jobs/{job['id']}/")
        page_url = f"{url}/api/jobs/{job['id']}/results/"
        while page_url:
            page = http_json("GET", page_url)
            figures.results.extend(page["results"])
            page_url = page.get("next")
    finally:
        stop_server(process)


def run_benchmark(
    *, size: CorpusSize, dest: Path, rebuild: bool, profile: bool, var_dir: Path
) -> Figures:
    """Run every step and return the figures, raising BenchmarkError when a
    step cannot go on."""
    figures = Figures(size=size)
    started = time.perf_counter()
    try:
        figures.repositories = build_corpus(dest=dest, size=size, rebuild=rebuild)
    except CorpusError as error:
        raise BenchmarkError(f"Building the repositories failed: {error}") from error
    figures.build_seconds = time.perf_counter() - started

    env = isolated_environment(var_dir)
    check_command(run_measured(manage_py("migrate", "--no-input"), env=env), "migrate")
    projects = write_projects_file(var_dir / "projects.jsonl", figures.repositories)
    prepare = manage_py("preparedata", "--projects", str(projects))
    if profile:
        profile_path = var_dir / "preparedata.prof"
        prepare = [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(profile_path),
            *prepare[1:],
        ]
    figures.first = run_measured(prepare, env=env)
    check_command(figures.first, "preparedata (first run)")
    figures.second = run_measured(prepare, env=env)
    check_command(figures.second, "preparedata (second run)")

    setup_django(env)
    read_prepared_figures(figures)
    run_job(figures, env, var_dir)
    figures.problems = find_problems(figures)
    return figures


def client_methods_with_results(figures: Figures) -> set[tuple[str, str]]:
    """Return the (path, method name) of every client method with a result."""
    return {
        (result["original"]["path"], result["original"]["method"])
        for result in figures.results
    }


def find_problems(figures: Figures) -> list[str]:
    """List every expectation the run did not meet."""
    problems = []
    originals = client_methods_with_results(figures)
    if len(originals) < figures.size.client_copies:
        problems.append(
            f"{len(originals)} of the {figures.size.client_copies} client methods "
            "copied from migrated corpus methods have results."
        )
    if any(name == CLIENT_UNCHANGED_METHOD for _, name in originals):
        problems.append(
            f"The job reported {CLIENT_UNCHANGED_METHOD}, whose Guava use does "
            "not change between the clone and the upgraded version."
        )
    first, second = figures.first.counts(), figures.second.counts()
    if first.get("failed"):
        problems.append(f"preparedata failed {first['failed']} versions.")
    if second.get("prepared") or second.get("skipped") or second.get("failed"):
        problems.append(
            f"The second preparedata run did not skip everything: {second}."
        )
    if figures.declared_mismatches:
        problems.append(
            f"{len(figures.declared_mismatches)} release tags have another "
            "declared Guava version than the generator wrote, such as "
            f"{figures.declared_mismatches[0]}."
        )
    if figures.other_tags_prepared:
        problems.append(
            "Tags that are not releases were prepared: "
            f"{', '.join(figures.other_tags_prepared)}."
        )
    if figures.job.get("status") != "FINISHED":
        problems.append(
            f"Job {figures.job.get('id')} ended {figures.job.get('status')}: "
            f"{figures.job.get('error') or 'no error message'}."
        )
    if not figures.results:
        problems.append(f"Job {figures.job.get('id')} has no results.")
    return problems


def machine_description() -> str:
    """Describe the CPU, core count, memory, Python and git of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        memory_kib = 0
    git_version = subprocess.run(
        ["git", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory_kib / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {git_version}, SQLite and local "
        "storage in a temporary VAR_DIR"
    )


def render_section(figures: Figures, *, command: str) -> str:
    """Write the benchmark section of docs/benchmarks.md in Markdown."""
    status = "; ".join(figures.problems) or "every check passed"
    if any(repository.created for repository in figures.repositories):
        built = f"in {figures.build_seconds:.0f} s"
    else:
        built = "by an earlier run"
    introduction = textwrap.fill(
        f"Measured on {time.strftime('%Y-%m-%d', time.gmtime())}: "
        f"{machine_description()}. {figures.size.change_share:.0%} of the Java "
        f"files change between two releases (seed {figures.size.seed}). The "
        "input was built by `bench/corpus/build_repos.py` from the JDK 17 "
        f"`src.zip` {built}:",
        width=72,
    )
    return f"""{SECTION_TITLE}

    {command}

{introduction}

| repository | Java files | release tags | other tags | Guava versions |
| --- | --- | --- | --- | --- |
{_input_rows(figures)}

Each command ran in its own process. CPU time and peak RSS are that
process's own (os.wait4). Other programs shared the machine, so the load
average column shows how far the wall time is inflated.

| step | wall time | CPU time | peak RSS | load average at end | outcome |
| --- | --- | --- | --- | --- | --- |
{_step_rows(figures)}

Checks: {status}.
"""


def _input_rows(figures: Figures) -> str:
    rows = []
    for repository in figures.repositories:
        others = len(repository.tags) - len(repository.release_tags)
        versions = " ".join(dict.fromkeys(repository.guava_versions))
        rows.append(
            f"| {repository.name} | {repository.java_files:,} | "
            f"{len(repository.release_tags)} | {others} | {versions} |"
        )
    return "\n".join(rows)


def _step_rows(figures: Figures) -> str:
    first, second = figures.first.counts(), figures.second.counts()
    originals = client_methods_with_results(figures)
    projects = sorted(
        {Path(result["clone"]["project"]).name for result in figures.results}
    )
    outcomes = (
        (
            "`preparedata`, first run",
            figures.first,
            f"{first.get('prepared', 0)} versions prepared, "
            f"{first.get('skipped', 0)} skipped, {first.get('failed', 0)} failed; "
            f"{figures.files:,} files, {figures.methods:,} methods, "
            f"{figures.extraction_errors} extraction errors",
        ),
        (
            "`preparedata`, second run",
            figures.second,
            f"{second.get('reused', 0)} versions already done, "
            f"{second.get('prepared', 0)} prepared again",
        ),
        (
            "`runjobs --once`",
            figures.worker,
            f"job {figures.job.get('id')} {figures.job.get('status')}, "
            f"{len(figures.results)} results for {len(originals)} client methods "
            f"from {', '.join(projects) or 'no project'}",
        ),
    )
    return "\n".join(
        f"| {step} | {run.seconds:.1f} s | {run.cpu_seconds:.1f} s | "
        f"{run.peak_rss_mb:.0f} MB | {run.load_average:.1f} | {outcome} |"
        for step, run, outcome in outcomes
    )


def write_section(text: str, path: Path = DOCS_PATH) -> None:
    """Replace this benchmark's section of the page, or append it, leaving
    the other sections unchanged."""
    page = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = page.find(SECTION_TITLE)
    if start < 0:
        page = page.rstrip("\n") + "\n\n" + text
    else:
        end = page.find("\n## ", start + len(SECTION_TITLE))
        rest = "" if end < 0 else page[end:]
        page = page[:start] + text.rstrip("\n") + "\n" + rest
    path.write_text(page, encoding="utf-8")


def print_summary(figures: Figures) -> None:
    first, second, worker = figures.first, figures.second, figures.worker
    for repository in figures.repositories:
        print(
            f"{repository.name}: {repository.java_files} Java files, "
            f"{len(repository.release_tags)} release tags, {len(repository.tags)} tags"
        )
    print(f"build: {figures.build_seconds:.1f} s")
    print(
        f"preparedata first run: {first.seconds:.1f} s ({first.cpu_seconds:.1f} s "
        f"CPU, load average {first.load_average:.1f}), peak RSS "
        f"{first.peak_rss_mb:.0f} MB, {first.counts()}; versions by status "
        f"{figures.versions}, {figures.files} files, {figures.methods} methods"
    )
    print(
        f"preparedata second run: {second.seconds:.1f} s "
        f"({second.cpu_seconds:.1f} s CPU), peak RSS "
        f"{second.peak_rss_mb:.0f} MB, {second.counts()}"
    )
    print(
        f"runjobs --once: {worker.seconds:.1f} s ({worker.cpu_seconds:.1f} s CPU), "
        "peak RSS "
        f"{worker.peak_rss_mb:.0f} MB; job {figures.job.get('id')} "
        f"{figures.job.get('status')} with {len(figures.results)} results"
    )
    for problem in figures.problems:
        print(f"PROBLEM: {problem}")
    for mismatch in figures.declared_mismatches[:10]:
        print(f"  {mismatch}")


def print_profile(path: Path, lines: int = 30) -> None:
    import pstats

    print(f"Top {lines} functions of preparedata by cumulative time ({path}):")
    pstats.Stats(str(path)).sort_stats("cumulative").print_stats(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.corpus.run",
        description="Measure preparedata on a generated corpus and run one job.",
    )
    parser.add_argument(
        "--dest", type=Path, default=DEFAULT_DEST, help="Folder of the repositories."
    )
    parser.add_argument(
        "--small", action="store_true", help="Use the small corpus of the tests."
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="Rebuild the repositories."
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="Run the first preparedata under cProfile and print its top functions; "
        "its wall time then includes the profiler's overhead.",
    )
    parser.add_argument(
        "--no-docs", action="store_true", help=f"Do not write {DOCS_PATH}."
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the temporary VAR_DIR for inspection."
    )
    options = parser.parse_args(argv)

    size = SMALL if options.small else CorpusSize()
    var_dir = Path(tempfile.mkdtemp(prefix="corpus-bench-"))
    try:
        figures = run_benchmark(
            size=size,
            dest=options.dest,
            rebuild=options.rebuild,
            profile=options.profile,
            var_dir=var_dir,
        )
    except BenchmarkError as error:
        print(f"Benchmark failed: {error}\nVAR_DIR kept at {var_dir}", file=sys.stderr)
        return 1

    print_summary(figures)
    if options.profile:
        print_profile(var_dir / "preparedata.prof")
    if not options.no_docs:
        command = ".venv/bin/python -m bench.corpus.run" + (
            " --small" if options.small else ""
        )
        write_section(render_section(figures, command=command))
        print(f"Wrote the figures to {DOCS_PATH}")
    if options.keep:
        print(f"VAR_DIR kept at {var_dir}")
    else:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 1 if figures.problems else 0


if __name__ == "__main__":
    sys.exit(main())
