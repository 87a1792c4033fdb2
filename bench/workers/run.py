"""Time one job of 50 components on 1, 2 and 4 `runjobs` worker processes.

Everything runs as in production, on one machine: the workers are separate
`manage.py runjobs` processes that reach S3 and SQS over HTTP (a moto server
on 127.0.0.1) and share a MariaDB database. The script uses its own database,
`updatehelper_bench_workers`, which it drops and creates on each start, and
keeps its repositories, clones and logs under var/bench/workers/.

A run starts N workers, waits until each has logged that it started, then
creates the job and measures the wall time until the job is FINISHED, so
Django start-up is not counted. Initialization (cloning the client
repository and extracting its methods) is part of the time.

    MYSQL_HOST=127.0.0.1 python -m bench.workers.run --runs 3
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid
import zipfile
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "var" / "bench" / "workers"
DATABASE = "updatehelper_bench_workers"
JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
JDK_FOLDER = "java.base/java/util/"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}
# Maximum seconds for one job before the run is reported as failed.
JOB_TIMEOUT = 1800


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--projects", type=int, default=50, help="Corpus projects, one component each."
    )
    parser.add_argument(
        "--files", type=int, default=4, help="JDK files per corpus version."
    )
    parser.add_argument(
        "--client-files", type=int, default=20, help="JDK files in the client."
    )
    parser.add_argument(
        "--max-lines",
        type=int,
        default=1500,
        help="Leave out JDK files longer than this many lines.",
    )
    parser.add_argument("--workers", default="1,2,4", help="Worker counts.")
    parser.add_argument("--runs", type=int, default=3, help="Runs per count.")
    return parser.parse_args()


def configure_environment(endpoint: str) -> None:
    """Point this process and the workers it starts at the bench database,
    the moto server and the bench folder."""
    if not os.environ.get("MYSQL_HOST"):
        sys.exit("Set MYSQL_HOST (such as 127.0.0.1): the workers share MariaDB.")
    suffix = uuid.uuid4().hex[:8]
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "updatehelper.settings",
            "MYSQL_DATABASE": DATABASE,
            "AWS_STORAGE_BUCKET_NAME": f"update-helper-bench-{suffix}",
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            "SQS_QUEUE_NAME": f"update-helper_job-bench-{suffix}",
            "AWS_SQS_ENDPOINT_URL": endpoint,
            "AWS_SQS_REGION_NAME": "us-east-1",
            "VAR_DIR": str(DATA / "var"),
            "REPOSITORIES_DIR": str(DATA / "clones"),
            "JOBS_ALLOW_LOCAL_SOURCES": "true",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )


def recreate_database() -> None:
    import MySQLdb

    server = MySQLdb.connect(
        host=os.environ["MYSQL_HOST"],
        port=int(os.environ.get("MYSQL_PORT", "3306")),
        user=os.environ.get("MYSQL_USER", "root"),
        password=os.environ.get("MYSQL_PASSWORD", ""),
    )
    try:
        cursor = server.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(
            f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
        )
    finally:
        server.close()


def jdk_files(max_lines: int) -> list[tuple[str, bytes]]:
    """Read the java.util files of the JDK sources of at most `max_lines`
    lines, as (path, content) pairs.

    Long files are left out so that a few of them (java/util/Arrays.java has
    8,720 lines) do not dominate the job's time.
    """
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        names = sorted(
            name
            for name in archive.namelist()
            if name.startswith(JDK_FOLDER)
            and name.endswith(".java")
            and name.count("/") == 3
        )
        files = [(name.split("/", 1)[1], archive.read(name)) for name in names]
    return [(name, text) for name, text in files if text.count(b"\n") <= max_lines]


def build_repositories(arguments, sources) -> tuple[Path, Path, str]:
    """Build the corpus and the client, and return the projects file, the
    client's path and its commit."""
    from jobs.tests.conftest_aws import commit_files, report_files

    repositories = DATA / "repositories"
    lines = []
    for number in range(arguments.projects):
        artifact = f"corpus-{number:03d}"
        path = repositories / artifact
        # Corpus files come after the client's, so components compare
        # different code and their cost stays near the typical case.
        offset = number * arguments.files % (len(sources) - arguments.client_files)
        start = arguments.client_files + offset
        extra = {
            f"src/main/java/{name}": text.decode("utf-8", "replace")
            for name, text in sources[start : start + arguments.files]
        }
        for tag, version, helper in (
            ("v1", "18.0", "Objects"),
            ("v2", "21.0", "MoreObjects"),
        ):
            files = report_files(
                artifact=artifact, guava_version=version, helper=helper
            )
            commit_files(path, {**files, **extra}, tag=tag)
        lines.append(json.dumps({"source": str(path)}))
    projects_file = repositories / "projects.jsonl"
    projects_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    client = repositories / "client"
    files = report_files(artifact="client", guava_version="18.0", helper="Objects")
    for name, text in sources[: arguments.client_files]:
        files[f"src/main/java/{name}"] = text.decode("utf-8", "replace")
    sha = commit_files(client, files)
    return projects_file, client, sha


def start_workers(count: int, run_label: str) -> list[tuple[subprocess.Popen, Path]]:
    workers = []
    for index in range(count):
        log_path = DATA / "logs" / f"{run_label}-worker-{index}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "runjobs"],
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        workers.append((process, log_path))
    deadline = time.monotonic() + 120
    for process, log_path in workers:
        while "Worker started" not in log_path.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"Worker failed to start; see {log_path}")
            time.sleep(0.1)
    return workers


def stop_workers(workers) -> list[int]:
    for process, _ in workers:
        process.send_signal(signal.SIGTERM)
    return [process.wait(timeout=120) for process, _ in workers]


def time_job(client: Path, sha: str, projects: int) -> float:
    from jobs.models import Status
    from jobs.services import create_job

    started = time.perf_counter()
    job = create_job(
        source=str(client),
        commit=sha,
        library="com.google.guava:guava",
        source_version="18.0",
        target_version="21.0",
    )
    deadline = time.monotonic() + JOB_TIMEOUT
    while True:
        job.refresh_from_db()
        if job.status in (Status.FINISHED, Status.ERROR):
            break
        if time.monotonic() > deadline:
            sys.exit(f"Job {job.pk} did not finish within {JOB_TIMEOUT} s.")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started

    finished = job.components.filter(status=Status.FINISHED).count()
    if job.status != Status.FINISHED or finished != projects:
        sys.exit(
            f"Job {job.pk} ended {job.status} with {finished} of {projects} "
            f"components finished: {job.error}"
        )
    return elapsed


def main() -> None:
    arguments = parse_arguments()
    counts = [int(count) for count in arguments.workers.split(",")]
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    configure_environment(f"http://{host}:{port}")
    recreate_database()

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import logging

    logging.getLogger().setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("setupaws")

    sources = jdk_files(arguments.max_lines)
    started = time.perf_counter()
    projects_file, client, sha = build_repositories(arguments, sources)
    call_command("preparedata", projects=str(projects_file), stdout=StringIO())
    print(f"Corpus built and prepared in {time.perf_counter() - started:.1f} s")

    timings: dict[int, list[float]] = {count: [] for count in counts}
    for run in range(arguments.runs):
        for count in counts:
            workers = start_workers(count, f"run{run}-n{count}")
            try:
                elapsed = time_job(client, sha, arguments.projects)
            finally:
                exits = stop_workers(workers)
            timings[count].append(elapsed)
            print(f"run {run + 1}, {count} workers: {elapsed:.2f} s, exits {exits}")

    baseline = statistics.median(timings[counts[0]])
    print(f"\n| workers | median wall time (s) | runs (s) | speed-up vs {counts[0]} |")
    print("| --- | --- | --- | --- |")
    for count in counts:
        median = statistics.median(timings[count])
        runs = ", ".join(f"{value:.2f}" for value in timings[count])
        print(f"| {count} | {median:.2f} | {runs} | {baseline / median:.2f} |")
    print(json.dumps({"timings": timings, "arguments": vars(arguments)}))
    server.stop()


if __name__ == "__main__":
    main()
