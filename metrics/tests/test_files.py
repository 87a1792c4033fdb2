import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from metrics.files import MetricFileMissing, SourceArchive, load_blocks
from metrics.services import ExtractedFile, TreeExtraction, store_extraction
from metrics.tests.conftest import needs_metricfile

JAVA = b"""class Greeter {
    String greet(String name) {
        return "Hello, " + name;
    }
}
"""


def save_archive(name, files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def test_load_blocks_missing_file_names_it(storage_dir):
    with pytest.raises(MetricFileMissing, match="'versions/1/2/blocks.metrics'"):
        load_blocks("versions/1/2/blocks.metrics")


def test_load_blocks_missing_file_says_preparedata(storage_dir):
    with pytest.raises(MetricFileMissing, match="preparedata"):
        load_blocks("versions/1/2/blocks.metrics")


def test_load_blocks_empty_name(storage_dir):
    with pytest.raises(MetricFileMissing):
        load_blocks("")


@needs_metricfile
def test_load_blocks_reads_stored_blocks(storage_dir, tmp_path):
    from oreo.extract import extract_source

    (tmp_path / "Greeter.java").write_bytes(JAVA)
    result = extract_source(JAVA, path="Greeter.java", folder="demo")
    extraction = TreeExtraction(
        blocks=result.blocks, files=[ExtractedFile("Greeter.java", 1, 0, "")]
    )
    metric_name, _ = store_extraction(
        prefix="versions/1/1", extraction=extraction, root=tmp_path
    )

    blocks = load_blocks(metric_name)

    assert [(block.name, block.start_line, block.end_line) for block in blocks] == [
        ("greet", 2, 4)
    ]


def test_source_archive_lines_inclusive(storage_dir):
    name = save_archive("a/sources.zip", {"Greeter.java": JAVA})

    with SourceArchive(name) as archive:
        code = archive.lines("Greeter.java", 2, 4)

    assert code == (
        '    String greet(String name) {\n        return "Hello, " + name;\n    }'
    )


def test_source_archive_lines_strip_crlf(storage_dir):
    name = save_archive("a/sources.zip", {"A.java": b"class A {\r\n  int x;\r\n}\r\n"})

    with SourceArchive(name) as archive:
        code = archive.lines("A.java", 1, 2)

    assert code == "class A {\n  int x;"


def test_source_archive_text_whole_file(storage_dir):
    name = save_archive("a/sources.zip", {"Greeter.java": JAVA})

    with SourceArchive(name) as archive:
        text = archive.text("Greeter.java")

    assert text == JAVA.decode()


def test_source_archive_text_latin1(storage_dir):
    name = save_archive(
        "a/sources.zip", {"A.java": b'class A { String s = "caf\xe9"; }'}
    )

    with SourceArchive(name) as archive:
        text = archive.text("A.java")

    assert "café" in text


def test_source_archive_text_drops_bom(storage_dir):
    name = save_archive("a/sources.zip", {"A.java": b"\xef\xbb\xbfclass A {}"})

    with SourceArchive(name) as archive:
        text = archive.text("A.java")

    assert text == "class A {}"


def test_source_archive_missing_path_names_it(storage_dir):
    name = save_archive("a/sources.zip", {"Greeter.java": JAVA})

    with SourceArchive(name) as archive:
        with pytest.raises(KeyError, match="Other.java"):
            archive.text("Other.java")


def test_source_archive_rejects_bad_range(storage_dir):
    name = save_archive("a/sources.zip", {"Greeter.java": JAVA})

    with SourceArchive(name) as archive:
        with pytest.raises(ValueError, match="Invalid line range 3-2"):
            archive.lines("Greeter.java", 3, 2)


def test_source_archive_missing_archive(storage_dir):
    with pytest.raises(MetricFileMissing, match="jobs/9/sources.zip"):
        with SourceArchive("jobs/9/sources.zip"):
            pass


def test_source_archive_not_zip(storage_dir):
    name = default_storage.save("a/sources.zip", ContentFile(b"not a zip"))

    with pytest.raises(MetricFileMissing, match="not a valid zip file"):
        with SourceArchive(name):
            pass


def test_source_archive_outside_with_statement(storage_dir):
    archive = SourceArchive("a/sources.zip")

    with pytest.raises(RuntimeError, match="with"):
        archive.text("Greeter.java")
