"""Run Update Helper end to end on the demo corpus and print the migration examples.

The run migrates the database, builds the demo repositories and prepares them
with `preparedata`. It then starts `runserver` on a free port of 127.0.0.1,
creates a job for the user project through the REST API, runs `runjobs --once`
and reads the job and its results back over HTTP. A second run reuses the
repositories and the prepared versions, and creates a new job.

Usage: python -m demo.run [--rebuild]
"""

import argparse
import contextlib
import difflib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from demo.corpus import CorpusError, build_corpus
from demo.specs import CORPUS_PROJECTS, USER_APP

USER_COMMIT = USER_APP.releases[-1].tag
SOURCE_VERSION = "16.0"
TARGET_VERSION = "21.0"
SERVER_START_TIMEOUT_SECONDS = 60
SERVER_STOP_TIMEOUT_SECONDS = 10
HTTP_TIMEOUT_SECONDS = 30


class DemoError(Exception):
    """A failed demo step, with a message that names the cause and the fix."""


class Printer:
    """Numbered step lines and indented detail lines on one text stream."""

    def __init__(self, stdout: TextIO, total_steps: int) -> None:
        self.stdout = stdout
        self.total_steps = total_steps
        self.step_number = 0
        self.step_name = ""

    def step(self, name: str) -> None:
        self.step_number += 1
        self.step_name = name
        self.line(f"[{self.step_number}/{self.total_steps}] {name}")

    def line(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def detail(self, text: str) -> None:
        for line in text.rstrip("\n").splitlines():
            self.line(f"    {line}")


def run_demo(
    *,
    base_dir: Path,
    stdout: TextIO,
    stderr: TextIO | None = None,
    rebuild: bool = False,
) -> int:
    """Run every demo step and return the exit status: 0, or 1 when a step failed.

    `base_dir` is the demo folder: the repositories go to `base_dir/repos` and
    the projects file to `base_dir/projects.jsonl`. Django must be set up, and
    the database of the current connection is the one the server uses.
    """
    stderr = stderr or sys.stderr
    printer = Printer(stdout, total_steps=8)
    try:
        job, results = run_steps(base_dir=base_dir, printer=printer, rebuild=rebuild)
    except DemoError as error:
        stderr.write(f"Demo failed at step {printer.step_name!r}: {error}\n")
        return 1
    except KeyboardInterrupt:
        stderr.write(f"Demo interrupted at step {printer.step_name!r}.\n")
        return 130
    print_results(printer=printer, results=results)
    print_summary(printer=printer, job=job, results=results)
    return 0


def run_steps(
    *, base_dir: Path, printer: Printer, rebuild: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the steps from migration to reading the results; return the job and
    its results."""
    printer.step("Migrate the database")
    printer.detail(migrate_database())

    printer.step("Build the demo repositories")
    repos_dir = base_dir / "repos"
    printer.detail(build_repositories(repos_dir=repos_dir, rebuild=rebuild))

    printer.step("Prepare the corpus with preparedata")
    projects_file = write_projects_file(
        path=base_dir / "projects.jsonl", repos_dir=repos_dir
    )
    printer.detail(run_command("preparedata", "--projects", str(projects_file)))
    check_corpus_prepared(repos_dir=repos_dir)

    printer.step("Start the web server")
    log_path = base_dir / "runserver.log"
    with running_server(log_path=log_path) as server_url:
        printer.detail(f"{server_url} (log in {log_path})")

        printer.step("Create a job with POST /api/jobs/")
        job = create_job(server_url=server_url, source=repos_dir / USER_APP.name)
        printer.detail(
            f"job {job['id']}: {USER_APP.name}@{USER_COMMIT}, Guava "
            f"{SOURCE_VERSION} -> {TARGET_VERSION}, status {job['status']}"
        )

        printer.step("Run the worker with runjobs --once")
        printer.detail(run_command("runjobs", "--once"))

        printer.step("Read the job and its results over HTTP")
        job = http_json("GET", f"{server_url}/api/jobs/{job['id']}/")
        check_job_finished(job)
        results = fetch_results(job=job, server_url=server_url)
        printer.detail(f"job {job['id']}: {job['status']}, {len(results)} results")

    printer.step("Print the migration examples")
    return job, results


def migrate_database() -> str:
    """Apply migrations to the database of the current connection, creating the
    folder of a SQLite file first."""
    from django.db import DatabaseError, connection

    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        Path(name).parent.mkdir(parents=True, exist_ok=True)
    try:
        output = run_command("migrate", "--no-input")
    except DatabaseError as error:
        raise DemoError(
            f"Cannot open the {connection.vendor} database {name}: {error}. "
            "Check the database settings (SQLITE_PATH or MYSQL_*), and create "
            "a MySQL database before the first run."
        ) from error
    state = "up to date" if "No migrations to apply" in output else "migrated"
    return f"{connection.vendor} database {name}: {state}"


def build_repositories(*, repos_dir: Path, rebuild: bool) -> str:
    try:
        built = build_corpus(dest=repos_dir, rebuild=rebuild)
    except (CorpusError, OSError) as error:
        raise DemoError(
            f"{error} Fix the cause, or delete {repos_dir} and run the demo again."
        ) from error
    lines = []
    for repository in built:
        action = "created" if repository.created else "reused "
        lines.append(f"{action} {repository.path} ({', '.join(repository.tags)})")
    return "\n".join(lines)


def write_projects_file(*, path: Path, repos_dir: Path) -> Path:
    """Write the projects file that lists every corpus repository, one JSON object
    a line, with every release tag."""
    lines = [
        json.dumps({"source": str(repos_dir / spec.name)}) for spec in CORPUS_PROJECTS
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_corpus_prepared(*, repos_dir: Path) -> None:
    """Fail when no corpus version is prepared, because a job would then find
    nothing to compare with."""
    from django.db.models import Q

    from projects.models import ProjectVersion

    sources = [str(repos_dir / spec.name) for spec in CORPUS_PROJECTS]
    names = [spec.name for spec in CORPUS_PROJECTS]
    prepared = ProjectVersion.objects.filter(
        Q(project__source__in=sources) | Q(project__name__in=names),
        status=ProjectVersion.Status.PREPARED,
    )
    if not prepared.exists():
        raise DemoError(
            "preparedata prepared no version of the demo projects. Its output "
            "above names the reason of each failed version."
        )


def run_command(name: str, *args: str) -> str:
    """Run a management command in this process and return what it wrote."""
    from django.core.management import call_command
    from django.core.management.base import CommandError

    output = io.StringIO()
    try:
        call_command(name, *args, stdout=output, stderr=output)
    except CommandError as error:
        raise DemoError(
            f"manage.py {name} {' '.join(args)} failed: {error}\n{output.getvalue()}"
        ) from error
    return output.getvalue()


@contextlib.contextmanager
def running_server(*, log_path: Path) -> Iterator[str]:
    """Start `manage.py runserver` on a free port and stop it on exit, also on
    an error or Ctrl-C; yield its base URL."""
    from django.conf import settings

    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
    ]
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=server_environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_for_server(process=process, url=url, log_path=log_path)
            yield url
        finally:
            stop_process(process)


def server_environment() -> dict[str, str]:
    """Return the server's environment, pointed at this process's database.

    The settings read the database name from the environment, so it is passed
    on. Without it, a server started from a test would use another database
    than the test.
    """
    from django.conf import settings
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise DemoError(
                "The database is an in-memory SQLite database, which the server "
                "process cannot open. Set SQLITE_PATH to a file."
            )
        env["SQLITE_PATH"] = name
    elif connection.vendor == "mysql":
        env["MYSQL_DATABASE"] = name
    return env


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_server(*, process: subprocess.Popen, url: str, log_path: Path) -> None:
    """Poll the server until it responds, and fail when it exits or times out."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DemoError(
                f"runserver exited with code {process.returncode} before "
                f"responding. Its output is in {log_path}:\n{tail(log_path)}"
            )
        try:
            with urllib.request.urlopen(f"{url}/api/jobs/", timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise DemoError(
        f"runserver did not respond at {url} within {SERVER_START_TIMEOUT_SECONDS} "
        f"s. Its output is in {log_path}:\n{tail(log_path)}"
    )


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as error:
        return f"(cannot read {path}: {error})"


def create_job(*, server_url: str, source: Path) -> dict[str, Any]:
    return http_json(
        "POST",
        f"{server_url}/api/jobs/",
        body={
            "source": str(source),
            "commit": USER_COMMIT,
            "source_version": SOURCE_VERSION,
            "target_version": TARGET_VERSION,
        },
        expected_status=201,
    )


def check_job_finished(job: dict[str, Any]) -> None:
    status = job.get("status")
    if status == "FINISHED":
        return
    if status == "ERROR":
        raise DemoError(
            f"Job {job['id']} ended with ERROR: "
            f"{(job.get('error') or 'no reason given').rstrip('.')}."
        )
    raise DemoError(
        f"Job {job['id']} is still {status} after runjobs --once. Run "
        "`manage.py runjobs --once` again and check its output."
    )


def fetch_results(*, job: dict[str, Any], server_url: str) -> list[dict[str, Any]]:
    """Read every page of the job's results."""
    url = job.get("results_url") or f"{server_url}/api/jobs/{job['id']}/results/"
    results = []
    while url:
        page = http_json("GET", url)
        results.extend(page["results"])
        url = page.get("next")
    return results


def http_json(
    method: str, url: str, *, body: Any = None, expected_status: int = 200
) -> Any:
    """Send a JSON request and return the decoded JSON response."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_SECONDS) as response:
            status = response.status
            text = response.read().decode()
    except urllib.error.HTTPError as error:
        detail = error.read().decode(errors="replace")
        raise DemoError(
            f"{method} {url} returned HTTP {error.code}: {detail}"
        ) from error
    except OSError as error:
        raise DemoError(f"{method} {url} failed: {error}") from error
    if status != expected_status:
        raise DemoError(
            f"{method} {url} returned HTTP {status}, expected {expected_status}: {text}"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DemoError(
            f"{method} {url} returned invalid JSON: {text[:200]}"
        ) from error


def print_results(*, printer: Printer, results: list[dict[str, Any]]) -> None:
    for number, result in enumerate(results, start=1):
        print_result(printer=printer, number=number, total=len(results), result=result)


def print_result(
    *, printer: Printer, number: int, total: int, result: dict[str, Any]
) -> None:
    """Print one triplet: where the three methods are, the original code, and the
    change from clone to upgraded code as a unified diff."""
    original, clone, upgraded = result["original"], result["clone"], result["upgraded"]
    printer.line()
    printer.line(f"=== Example {number} of {total}: {original['method']} ===")
    printer.line(f"original  {location(original)}")
    printer.line(f"clone     {release(clone)} {location(clone)}")
    printer.line(f"upgraded  {release(upgraded)} {location(upgraded)}")
    printer.line("--- original code")
    printer.detail(textwrap.dedent(original["code"]))
    printer.line("--- change from clone to upgraded code")
    printer.detail(code_diff(clone=clone, upgraded=upgraded))


def release(method: dict[str, Any]) -> str:
    """Return `name@version` of a corpus method's project, naming the project by
    the last part of its source URL or path."""
    name = method["project"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    return f"{name}@{method['version']}"


def location(method: dict[str, Any]) -> str:
    return f"{method['path']}:{method['start_line']}-{method['end_line']}"


def code_diff(*, clone: dict[str, Any], upgraded: dict[str, Any]) -> str:
    lines = difflib.unified_diff(
        textwrap.dedent(clone["code"]).splitlines(),
        textwrap.dedent(upgraded["code"]).splitlines(),
        fromfile=f"{release(clone)}/{clone['path']}",
        tofile=f"{release(upgraded)}/{upgraded['path']}",
        lineterm="",
    )
    return "\n".join(lines)


def print_summary(
    *,
    printer: Printer,
    job: dict[str, Any],
    results: list[dict[str, Any]],
) -> None:
    count = len(results)
    noun = "example" if count == 1 else "examples"
    printer.line()
    printer.line(f"{count} migration {noun} found for job {job['id']}")
    printer.line(
        "The demo server has stopped. Start one with "
        "`.venv/bin/python manage.py runserver`, then open:"
    )
    base = "http://127.0.0.1:8000"
    printer.line(f"  page:  {base}/jobs/{job['id']}/")
    printer.line(f"  API:   {base}/api/jobs/{job['id']}/")
    printer.line(f"  admin: {base}/admin/jobs/job/{job['id']}/change/")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m demo.run",
        description="Run Update Helper end to end on a generated demo corpus.",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="Recreate the demo repositories even when they are up to date.",
    )
    options = parser.parse_args(argv)
    # A SIGTERM ends the run like Ctrl-C, so the server subprocess is stopped.
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    setup_django()
    from django.conf import settings

    return run_demo(
        base_dir=Path(settings.VAR_DIR) / "demo",
        stdout=sys.stdout,
        rebuild=options.rebuild,
    )


def raise_keyboard_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def setup_django() -> None:
    """Configure Django for a standalone run, logging only warnings by default
    so the demo's own lines stay readable."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "updatehelper.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    django.setup()


if __name__ == "__main__":
    sys.exit(main())
