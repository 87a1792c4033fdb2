import io
import os
import socket
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oreo.metricfile import read_metric_file

GREETER = b"""
package demo;

class Greeter {
  String greet(String name) { return "Hello, " + name; }
  Greeter() {}
}
"""

CALCULATOR = b"""
class Calculator {
  int add(int a, int b) { return a + b; }
}
"""


def run_command(*args: str) -> tuple[str, str]:
    stdout = io.StringIO()
    stderr = io.StringIO()
    call_command("extractblocks", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def read_blocks(path: Path):
    with path.open(encoding="utf-8") as stream:
        blocks, problems = read_metric_file(stream)
    assert problems == []
    return blocks


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "Greeter.java").write_bytes(GREETER)
    (root / "Calculator.java").write_bytes(CALCULATOR)
    (root / "README.md").write_text("not Java")
    return root


def test_extractblocks_writes_blocks_of_folder(project, tmp_path):
    output = tmp_path / "blocks.txt"
    run_command(str(project), "--output", str(output))
    blocks = read_blocks(output)
    assert sorted((b.file, b.name) for b in blocks) == [
        ("Calculator.java", "add"),
        ("src/demo/Greeter.java", "Greeter"),
        ("src/demo/Greeter.java", "greet"),
    ]


def test_extractblocks_folder_is_path_argument(project, tmp_path):
    output = tmp_path / "blocks.txt"
    run_command(str(project), "--output", str(output))
    assert {b.folder for b in read_blocks(output)} == {str(project)}


def test_extractblocks_accepts_files_and_folders(project, tmp_path):
    output = tmp_path / "blocks.txt"
    single = project / "Calculator.java"
    run_command(str(single), str(project / "src"), "--output", str(output))
    blocks = read_blocks(output)
    assert [(b.folder, b.file) for b in blocks][0] == (str(project), "Calculator.java")
    assert len(blocks) == 3


def test_extractblocks_prints_summary(project, tmp_path):
    output = tmp_path / "blocks.txt"
    stdout, stderr = run_command(str(project), "--output", str(output))
    assert "Wrote 3 blocks from 2 files" in stdout
    assert "0 syntax errors in 0 files" in stdout
    assert "Extracted 2 of 2 files, 3 blocks" in stderr


def test_extractblocks_skips_symbolic_links(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "Linked.java").write_bytes(CALCULATOR)
    (project / "linked-folder").symlink_to(elsewhere, target_is_directory=True)
    (project / "Linked.java").symlink_to(elsewhere / "Linked.java")
    output = tmp_path / "blocks.txt"
    run_command(str(project), "--output", str(output))
    assert "Linked.java" not in {Path(b.file).name for b in read_blocks(output)}


def test_extractblocks_reports_syntax_errors(project, tmp_path):
    (project / "Broken.java").write_bytes(
        b"class Broken {\n  void ok() {}\n  void bad() { int = ; }\n}\n"
    )
    output = tmp_path / "blocks.txt"
    stdout, stderr = run_command(str(project), "--output", str(output))
    assert "Broken.java: " in stderr
    assert "1 methods skipped" in stderr
    assert "in 1 files" in stdout
    assert "ok" in {b.name for b in read_blocks(output)}


def test_extractblocks_reports_non_utf8_file(project, tmp_path):
    (project / "Latin.java").write_bytes(
        'class Latin { String f() { return "\u00e9"; } }'.encode("latin-1")
    )
    output = tmp_path / "blocks.txt"
    stdout, stderr = run_command(str(project), "--output", str(output))
    assert "Latin.java is not valid UTF-8" in stderr
    assert "1 files not in UTF-8" in stdout
    assert "f" in {b.name for b in read_blocks(output)}


def test_extractblocks_continues_after_unreadable_file(project, tmp_path):
    # Opening a Unix socket as a file fails, even for root.
    server = socket.socket(socket.AF_UNIX)
    socket_path = project / "Socket.java"
    try:
        server.bind(str(socket_path))
        output = tmp_path / "blocks.txt"
        stdout, stderr = run_command(str(project), "--output", str(output))
    finally:
        server.close()
    assert f"{socket_path}: reading failed" in stderr
    assert "1 unreadable files" in stdout
    assert len(read_blocks(output)) == 3


@pytest.mark.skipif(os.name != "posix", reason="needs byte file names")
def test_extractblocks_skips_file_name_not_utf8(project, tmp_path):
    name = os.fsdecode(b"Caf\xe9.java")
    (project / name).write_bytes(CALCULATOR)
    output = tmp_path / "blocks.txt"
    stdout, stderr = run_command(str(project), "--output", str(output))
    assert "file name is not UTF-8" in stderr
    assert "1 unreadable files" in stdout


def test_extractblocks_goes_on_after_missing_path(project, tmp_path):
    missing = tmp_path / "missing.java"
    output = tmp_path / "out.metrics"
    stdout, stderr = run_command("--output", str(output), str(project), str(missing))
    assert f"{missing}: path not found; skipped" in stderr
    assert "Wrote 3 blocks from 2 files" in stdout
    assert len(read_blocks(output)) == 3


def test_extractblocks_rejects_only_missing_paths(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(CommandError, match="so no input could be read"):
        run_command(str(missing), "--output", str(tmp_path / "out.txt"))


def test_extractblocks_reports_missing_path_before_failing(tmp_path):
    missing = tmp_path / "missing"
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "extractblocks",
            str(missing),
            "--output",
            str(tmp_path / "out.txt"),
            stdout=io.StringIO(),
            stderr=stderr,
        )
    assert f"{missing}: path not found; skipped" in stderr.getvalue()


def test_extractblocks_warns_on_file_not_java(project, tmp_path):
    source = tmp_path / "Calculator.txt"
    source.write_bytes(CALCULATOR)
    output = tmp_path / "out.metrics"
    stdout, stderr = run_command("--output", str(output), str(source))
    assert f"{source}: warning: the file name does not end in .java" in stderr
    assert [block.name for block in read_blocks(output)] == ["add"]


def test_extractblocks_fails_when_no_file_readable(tmp_path):
    # Opening a Unix socket as a file fails, even for root.
    server = socket.socket(socket.AF_UNIX)
    socket_path = tmp_path / "Socket.java"
    try:
        server.bind(str(socket_path))
        with pytest.raises(CommandError, match="No input could be read"):
            run_command(str(socket_path), "--output", str(tmp_path / "out.txt"))
    finally:
        server.close()


def test_extractblocks_rejects_missing_output_folder(project, tmp_path):
    output = tmp_path / "no-such-folder" / "out.txt"
    with pytest.raises(CommandError, match="of --output .* not found"):
        run_command(str(project), "--output", str(output))


def test_extractblocks_rejects_folder_without_java(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match="No .java file found"):
        run_command(str(empty), "--output", str(tmp_path / "out.txt"))
