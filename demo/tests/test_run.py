"""Tests of the demo runner's steps that need no server and no prepared corpus."""

import io
import json
import socket
import subprocess
import sys

import pytest

from demo.run import (
    DemoError,
    Printer,
    check_job_finished,
    code_diff,
    free_port,
    http_json,
    print_result,
    print_summary,
    stop_process,
    wait_for_server,
    write_projects_file,
)
from demo.specs import CORPUS_PROJECTS

# A result as the API returns it: `project` is the project's source, and
# `code` starts at the first column of the method's first line.
RESULT = {
    "original": {
        "path": "src/main/java/com/acme/shop/Customer.java",
        "method": "toString",
        "start_line": 47,
        "end_line": 48,
        "code": "    return Objects.toStringHelper(this)\n            .toString();",
    },
    "clone": {
        "project": "/srv/repos/inventory-service",
        "version": "v1.1",
        "path": "src/main/java/com/example/inventory/Item.java",
        "method": "toString",
        "start_line": 60,
        "end_line": 61,
        "code": "    return Objects.toStringHelper(this)\n            .toString();",
    },
    "upgraded": {
        "project": "https://example.com/acme/inventory-service.git",
        "version": "v2.0",
        "path": "src/main/java/com/example/inventory/Item.java",
        "method": "toString",
        "start_line": 61,
        "end_line": 62,
        "code": "    return MoreObjects.toStringHelper(this)\n            .toString();",
    },
}


def printed_result() -> list[str]:
    stdout = io.StringIO()
    print_result(
        printer=Printer(stdout, total_steps=1), number=1, total=3, result=RESULT
    )
    return stdout.getvalue().splitlines()


def test_print_result_names_three_locations():
    lines = printed_result()

    assert "original  src/main/java/com/acme/shop/Customer.java:47-48" in lines
    assert (
        "clone     inventory-service@v1.1 "
        "src/main/java/com/example/inventory/Item.java:60-61"
    ) in lines
    assert (
        "upgraded  inventory-service@v2.0 "
        "src/main/java/com/example/inventory/Item.java:61-62"
    ) in lines


def test_print_result_indents_dedented_original_code():
    lines = printed_result()

    assert "    return Objects.toStringHelper(this)" in lines
    assert "            .toString();" in lines


def test_code_diff_shows_changed_line():
    diff = code_diff(clone=RESULT["clone"], upgraded=RESULT["upgraded"]).splitlines()

    assert "-return Objects.toStringHelper(this)" in diff
    assert "+return MoreObjects.toStringHelper(this)" in diff
    assert "         .toString();" in diff


def test_code_diff_names_project_and_version():
    diff = code_diff(clone=RESULT["clone"], upgraded=RESULT["upgraded"]).splitlines()

    assert diff[0] == (
        "--- inventory-service@v1.1/src/main/java/com/example/inventory/Item.java"
    )
    assert diff[1] == (
        "+++ inventory-service@v2.0/src/main/java/com/example/inventory/Item.java"
    )


def test_print_summary_counts_examples():
    stdout = io.StringIO()

    print_summary(
        printer=Printer(stdout, total_steps=1),
        job={"id": 7},
        results=[RESULT, RESULT, RESULT],
    )

    assert "3 migration examples found for job 7" in stdout.getvalue().splitlines()


def test_print_summary_uses_singular_for_one_example():
    stdout = io.StringIO()

    print_summary(
        printer=Printer(stdout, total_steps=1), job={"id": 2}, results=[RESULT]
    )

    assert "1 migration example found for job 2" in stdout.getvalue().splitlines()


def test_printer_numbers_steps():
    stdout = io.StringIO()
    printer = Printer(stdout, total_steps=8)

    printer.step("Migrate the database")
    printer.step("Build the demo repositories")

    assert stdout.getvalue().splitlines() == [
        "[1/8] Migrate the database",
        "[2/8] Build the demo repositories",
    ]


def test_write_projects_file_lists_every_corpus_project(tmp_path):
    path = write_projects_file(path=tmp_path / "projects.jsonl", repos_dir=tmp_path)

    sources = [json.loads(line)["source"] for line in path.read_text().splitlines()]

    assert sources == [str(tmp_path / spec.name) for spec in CORPUS_PROJECTS]


def test_check_job_finished_accepts_finished_job():
    check_job_finished({"id": 1, "status": "FINISHED"})


def test_check_job_finished_reports_job_error():
    job = {"id": 4, "status": "ERROR", "error": "Checkout of v0.9 failed."}

    with pytest.raises(
        DemoError, match=r"Job 4 ended with ERROR: Checkout of v0.9 failed\.$"
    ):
        check_job_finished(job)


def test_check_job_finished_rejects_running_job():
    with pytest.raises(DemoError, match="Job 5 is still RUNNING"):
        check_job_finished({"id": 5, "status": "RUNNING"})


def test_http_json_reports_refused_connection():
    port = free_port()

    with pytest.raises(
        DemoError, match=f"GET http://127.0.0.1:{port}/api/jobs/ failed"
    ):
        http_json("GET", f"http://127.0.0.1:{port}/api/jobs/")


def test_free_port_is_bindable():
    port = free_port()

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", port))


def test_wait_for_server_reports_exited_process(tmp_path):
    log_path = tmp_path / "server.log"
    log_path.write_text("Error: That port is already in use.\n")
    process = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    process.wait()

    with pytest.raises(DemoError) as raised:
        wait_for_server(process=process, url="http://127.0.0.1:9", log_path=log_path)

    assert "exited with code 3" in str(raised.value)
    assert "That port is already in use." in str(raised.value)


def test_stop_process_terminates_running_process():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])

    stop_process(process)

    assert process.poll() is not None
