import io
import os
import subprocess
import zipfile

import pytest
from django.core.files.storage import default_storage

from metrics.files import MetricFileMissing
from metrics.services import (
    ReusableFile,
    extract_tree,
    git_blob_sha,
    load_reusable_files,
    store_extraction,
)
from metrics.tests.conftest import needs_extractor, needs_metricfile
from oreo.blocks import Block
from oreo.metricfile import write_metric_file
from projects.tests.gitrepos import jdk_source

pytestmark = needs_extractor

OBJECTS = "java.base/java/util/Objects.java"
OPTIONAL = "java.base/java/util/Optional.java"


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    (root / "src").mkdir(parents=True)
    (root / "src" / "Objects.java").write_bytes(jdk_source(OBJECTS))
    (root / "src" / "Optional.java").write_bytes(jdk_source(OPTIONAL))
    (root / "src" / "Empty.java").write_text("package empty;\n")
    return root


def test_extract_tree_lists_every_file(tree):
    extraction = extract_tree(tree, folder="demo")

    assert [file.path for file in extraction.files] == [
        "src/Empty.java",
        "src/Objects.java",
        "src/Optional.java",
    ]


def test_extract_tree_counts_methods_per_file(tree):
    extraction = extract_tree(tree, folder="demo")

    counts = {file.path: file.methods_count for file in extraction.files}
    for path in counts:
        assert counts[path] == sum(1 for b in extraction.blocks if b.file == path)


def test_extract_tree_finds_methods(tree):
    extraction = extract_tree(tree, folder="demo")

    names = {block.name for block in extraction.blocks}
    assert {"requireNonNull", "isPresent", "orElse"} <= names


def test_extract_tree_sets_folder(tree):
    extraction = extract_tree(tree, folder="demo")

    assert {block.folder for block in extraction.blocks} == {"demo"}


def test_extract_tree_reports_progress(tree):
    calls = []

    extract_tree(
        tree, folder="demo", progress=lambda done, total: calls.append((done, total))
    )

    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_extract_tree_skips_non_utf8_name(tree):
    (tree / os.fsdecode(b"src/Caf\xe9.java")).write_bytes(jdk_source(OBJECTS))

    extraction = extract_tree(tree, folder="demo")

    [skipped] = [file for file in extraction.files if "Caf" in file.path]
    assert skipped.path == "src/Caf\\xe9.java"
    assert "not valid UTF-8" in skipped.error
    assert skipped.methods_count == 0


def test_extract_tree_reads_non_utf8_content(tree):
    (tree / "src" / "Latin.java").write_bytes(
        b'class Latin { String name() { return "caf\xe9"; } }'
    )

    extraction = extract_tree(tree, folder="demo")

    [latin] = [file for file in extraction.files if file.path == "src/Latin.java"]
    assert latin.methods_count == 1
    assert "ISO-8859-1" in latin.error


def test_extract_tree_counts_syntax_errors(tree):
    (tree / "src" / "Broken.java").write_text(
        "class Broken { void ok() { } void bad() { int = ; } }"
    )

    extraction = extract_tree(tree, folder="demo")

    [broken] = [file for file in extraction.files if file.path == "src/Broken.java"]
    assert broken.syntax_errors > 0
    assert broken.methods_count == 1


@needs_metricfile
def test_store_extraction_names_under_prefix(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")

    names = store_extraction(prefix="versions/4/7", extraction=extraction, root=tree)

    assert names == ("versions/4/7/blocks.metrics", "versions/4/7/sources.zip")


@needs_metricfile
def test_store_extraction_archives_files_with_blocks(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")

    _, sources = store_extraction(prefix="v/1", extraction=extraction, root=tree)

    with default_storage.open(sources, "rb") as stored:
        names = zipfile.ZipFile(stored).namelist()
    assert sorted(names) == ["src/Objects.java", "src/Optional.java"]


@needs_metricfile
def test_store_extraction_overwrites_rerun(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")
    store_extraction(prefix="v/1", extraction=extraction, root=tree)

    names = store_extraction(prefix="v/1", extraction=extraction, root=tree)

    assert names[0] == "v/1/blocks.metrics"


def test_git_blob_sha_matches_git(tree):
    path = tree / "src" / "Objects.java"

    expected = subprocess.run(
        ["git", "hash-object", str(path)], capture_output=True, check=True, text=True
    ).stdout.strip()

    assert git_blob_sha(path.read_bytes()) == expected


def test_extract_tree_records_blob(tree):
    extraction = extract_tree(tree, folder="demo")

    blobs = {file.path: file.blob for file in extraction.files}
    assert blobs["src/Empty.java"] == git_blob_sha(b"package empty;\n")


def test_extract_tree_reuses_same_blob(tree):
    earlier = extract_tree(tree, folder="demo")
    [objects] = [file for file in earlier.files if file.path == "src/Objects.java"]
    marker = Block("old", objects.path, 1, 2, "reusedMarker", 20, 5, "h", (0.0,) * 24)
    reusable = {objects.path: ReusableFile(objects, [marker])}

    extraction = extract_tree(tree, folder="demo", reusable=reusable)

    names = [block.name for block in extraction.blocks if block.file == objects.path]
    assert names == ["reusedMarker"]
    assert extraction.reused_files == 1


def test_extract_tree_reused_block_gets_folder(tree):
    earlier = extract_tree(tree, folder="demo")
    [objects] = [file for file in earlier.files if file.path == "src/Objects.java"]
    marker = Block("old", objects.path, 1, 2, "reusedMarker", 20, 5, "h", (0.0,) * 24)

    extraction = extract_tree(
        tree, folder="demo", reusable={objects.path: ReusableFile(objects, [marker])}
    )

    [reused] = [block for block in extraction.blocks if block.name == "reusedMarker"]
    assert reused.folder == "demo"


def test_extract_tree_extracts_changed_blob(tree):
    earlier = extract_tree(tree, folder="demo")
    [objects] = [file for file in earlier.files if file.path == "src/Objects.java"]
    objects.blob = git_blob_sha(b"other content")
    marker = Block("old", objects.path, 1, 2, "reusedMarker", 20, 5, "h", (0.0,) * 24)

    extraction = extract_tree(
        tree, folder="demo", reusable={objects.path: ReusableFile(objects, [marker])}
    )

    names = {block.name for block in extraction.blocks}
    assert "reusedMarker" not in names
    assert extraction.reused_files == 0


@needs_metricfile
def test_store_extraction_writes_each_block_once(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")
    expected = io.StringIO()
    write_metric_file(extraction.blocks, expected)

    metric_name, _ = store_extraction(prefix="v/1", extraction=extraction, root=tree)

    with default_storage.open(metric_name, "rb") as stored:
        assert stored.read().decode("utf-8") == expected.getvalue()


@needs_metricfile
def test_load_reusable_files_pairs_blocks(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")
    metric_name, _ = store_extraction(prefix="v/1", extraction=extraction, root=tree)

    reusable = load_reusable_files(metric_file=metric_name, files=extraction.files)

    counts = {path: len(entry.blocks) for path, entry in reusable.items()}
    assert counts == {file.path: file.methods_count for file in extraction.files}


@needs_metricfile
def test_load_reusable_files_drops_count_mismatch(tree, storage_dir):
    extraction = extract_tree(tree, folder="demo")
    metric_name, _ = store_extraction(prefix="v/1", extraction=extraction, root=tree)
    [objects] = [file for file in extraction.files if file.path == "src/Objects.java"]
    objects.methods_count += 1

    reusable = load_reusable_files(metric_file=metric_name, files=extraction.files)

    assert "src/Objects.java" not in reusable


@needs_metricfile
def test_load_reusable_files_missing_file(storage_dir):
    with pytest.raises(MetricFileMissing, match="v/9/blocks.metrics"):
        load_reusable_files(metric_file="v/9/blocks.metrics", files=[])
