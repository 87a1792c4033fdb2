import dataclasses
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from oreo.blocks import Block
from oreo.extract import extract_source
from oreo.metricfile import write_metric_file

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
ARRAY_LIST = "java.base/java/util/ArrayList.java"


@pytest.fixture(scope="module")
def array_list_blocks() -> list[Block]:
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        source = archive.read(ARRAY_LIST)
    return extract_source(source, path=ARRAY_LIST, folder="v1").blocks


def in_folder(blocks: list[Block], folder: str) -> list[Block]:
    return [dataclasses.replace(block, folder=folder) for block in blocks]


def write_blocks(path: Path, blocks: list[Block]) -> Path:
    with path.open("w") as stream:
        write_metric_file(blocks, stream)
    return path


def block_named(blocks: list[Block], name: str) -> Block:
    return next(block for block in blocks if block.name == name)


def expected_line(left: Block, right: Block) -> str:
    return (
        f"{left.folder},{left.file},{left.start_line},{left.end_line},"
        f"{right.folder},{right.file},{right.start_line},{right.end_line}"
    )


def run_command(*args: str) -> tuple[list[str], str]:
    stdout = io.StringIO()
    stderr = io.StringIO()
    call_command("detectclones", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue().splitlines(), stderr.getvalue()


def test_detectclones_one_file_finds_copies(tmp_path, array_list_blocks):
    blocks = array_list_blocks + in_folder(array_list_blocks, "v2")
    path = write_blocks(tmp_path / "both.txt", blocks)
    lines, _ = run_command(str(path))
    index_of = block_named(array_list_blocks, "indexOfRange")
    copy = dataclasses.replace(index_of, folder="v2")
    assert expected_line(index_of, copy) in lines


def test_detectclones_omits_self_pairs(tmp_path, array_list_blocks):
    path = write_blocks(tmp_path / "v1.txt", array_list_blocks)
    lines, _ = run_command(str(path))
    self_pairs = [line for line in lines if line.split(",")[:4] == line.split(",")[4:]]
    assert self_pairs == []


def test_detectclones_reports_each_pair_once(tmp_path, array_list_blocks):
    blocks = array_list_blocks + in_folder(array_list_blocks, "v2")
    path = write_blocks(tmp_path / "both.txt", blocks)
    lines, _ = run_command(str(path))
    assert len(lines) == len(set(lines))
    reversed_lines = {
        ",".join(line.split(",")[4:] + line.split(",")[:4]) for line in lines
    }
    assert reversed_lines.isdisjoint(lines)


def test_detectclones_across_files(tmp_path, array_list_blocks):
    first = write_blocks(tmp_path / "v1.txt", array_list_blocks)
    second = write_blocks(tmp_path / "v2.txt", in_folder(array_list_blocks, "v2"))
    lines, _ = run_command(str(first), str(second))
    trim = block_named(array_list_blocks, "trimToSize")
    assert expected_line(trim, dataclasses.replace(trim, folder="v2")) in lines


def test_detectclones_output_option_writes_file(tmp_path, array_list_blocks):
    blocks = array_list_blocks + in_folder(array_list_blocks, "v2")
    path = write_blocks(tmp_path / "both.txt", blocks)
    output = tmp_path / "pairs.txt"
    stdout_lines, _ = run_command(str(path), "--output", str(output))
    assert stdout_lines == []
    assert len(output.read_text().splitlines()) >= len(array_list_blocks) // 2


def test_detectclones_skips_invalid_line(tmp_path, array_list_blocks):
    good = write_blocks(tmp_path / "good.txt", array_list_blocks[:1])
    copy = in_folder(array_list_blocks[:1], "v2")
    path = tmp_path / "mixed.txt"
    path.write_text(good.read_text() + "not a metric line\n")
    with path.open("a") as stream:
        write_metric_file(copy, stream)
    lines, errors = run_command(str(path))
    assert f"{path}:2: skipped invalid line" in errors
    assert lines == [expected_line(array_list_blocks[0], copy[0])]


def test_detectclones_skips_missing_file(tmp_path, array_list_blocks):
    blocks = array_list_blocks[:1] + in_folder(array_list_blocks[:1], "v2")
    path = write_blocks(tmp_path / "v1.txt", blocks)
    missing = tmp_path / "missing.txt"
    lines, errors = run_command(str(missing), str(path))
    assert f"{missing}: reading failed" in errors
    assert len(lines) == 1


def test_detectclones_rejects_only_missing_files(tmp_path):
    with pytest.raises(CommandError, match="No metric file could be read"):
        run_command(str(tmp_path / "missing.txt"))


def test_detectclones_skips_only_line_not_utf8(tmp_path, array_list_blocks):
    copy = in_folder(array_list_blocks[:1], "v2")
    path = write_blocks(tmp_path / "mixed.txt", array_list_blocks[:1])
    with path.open("ab") as stream:
        stream.write(b"caf\xe9 is not UTF-8\n")
    with path.open("a") as stream:
        write_metric_file(copy, stream)
    lines, errors = run_command(str(path))
    assert f"{path}:2: skipped invalid line: invalid UTF-8" in errors
    assert lines == [expected_line(array_list_blocks[0], copy[0])]


def test_detectclones_skips_negative_metric(tmp_path, array_list_blocks):
    negative = dataclasses.replace(
        array_list_blocks[0], metrics=(-1.0,) + array_list_blocks[0].metrics[1:]
    )
    path = write_blocks(tmp_path / "negative.txt", [negative])
    _, errors = run_command(str(path))
    assert f"{path}:1: skipped invalid line: metric COMP is '-1', negative" in errors


def test_detectclones_missing_file_names_path(tmp_path, array_list_blocks):
    path = write_blocks(tmp_path / "v1.txt", array_list_blocks[:1])
    missing = tmp_path / "missing.txt"
    _, errors = run_command(str(path), str(missing))
    assert f"{missing}: reading failed: No such file or directory" in errors


def test_detectclones_rejects_only_unreadable_files(tmp_path):
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    with pytest.raises(
        CommandError, match=re.escape("No metric file could be read (2 given)")
    ):
        run_command(str(folder), str(tmp_path / "missing.txt"))
