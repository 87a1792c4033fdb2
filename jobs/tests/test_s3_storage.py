# Fixtures imported from conftest_aws are used as test arguments, which pyflakes
# reads as redefinitions.
# ruff: noqa: F401, F811
import zipfile
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from storages.backends.s3 import S3Storage

from jobs.tests.conftest_aws import (
    aws_environment,
    moto_endpoint,
    s3_bucket,
    s3_client,
    s3_settings,
)
from metrics.files import MetricFileMissing, SourceArchive, load_blocks
from metrics.services import extract_tree, store_extraction

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
JDK_FILES = [
    "java.base/java/util/Objects.java",
    "java.base/java/util/StringJoiner.java",
]


@pytest.fixture
def java_tree(tmp_path) -> Path:
    """Write two files of the JDK sources into a source tree."""
    root = tmp_path / "tree"
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        for member in JDK_FILES:
            target = root / "src" / member.split("/", 1)[1]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    return root


def object_keys(s3_client, bucket: str) -> list[str]:
    response = s3_client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in response.get("Contents", []))


def test_default_storage_is_s3(s3_bucket):
    assert isinstance(default_storage, S3Storage)


def test_s3_save_and_open_round_trip(s3_bucket):
    name = default_storage.save("versions/1/blocks.metrics", ContentFile(b"a@#@b\n"))

    with default_storage.open(name, "rb") as stored:
        assert stored.read() == b"a@#@b\n"


def test_s3_save_uses_key_prefix(s3_bucket, s3_client):
    default_storage.save("versions/2/blocks.metrics", ContentFile(b"x"))

    assert object_keys(s3_client, s3_bucket) == ["data/versions/2/blocks.metrics"]


def test_s3_save_overwrites_same_name(s3_bucket):
    first = default_storage.save("jobs/3/blocks.metrics", ContentFile(b"old"))
    second = default_storage.save("jobs/3/blocks.metrics", ContentFile(b"new"))

    assert second == first
    with default_storage.open(second, "rb") as stored:
        assert stored.read() == b"new"


def test_metric_file_round_trip_on_s3(s3_bucket, java_tree):
    extraction = extract_tree(java_tree, folder="project")

    metric_name, _ = store_extraction(
        prefix="versions/4", extraction=extraction, root=java_tree
    )
    blocks = load_blocks(metric_name)

    assert len(extraction.blocks) > 10
    assert [block.name for block in blocks] == [
        block.name for block in extraction.blocks
    ]
    assert [block.start_line for block in blocks] == [
        block.start_line for block in extraction.blocks
    ]


def test_source_archive_round_trip_on_s3(s3_bucket, java_tree):
    extraction = extract_tree(java_tree, folder="project")
    _, sources_name = store_extraction(
        prefix="versions/5", extraction=extraction, root=java_tree
    )
    block = extraction.blocks[0]
    source = (java_tree / block.file).read_text(encoding="utf-8")
    expected = "\n".join(source.splitlines()[block.start_line - 1 : block.end_line])

    with SourceArchive(sources_name) as archive:
        code = archive.lines(block.file, block.start_line, block.end_line)

    assert code == expected


def test_missing_metric_file_on_s3_raises(s3_bucket):
    with pytest.raises(MetricFileMissing) as raised:
        load_blocks("versions/6/blocks.metrics")

    assert "versions/6/blocks.metrics" in str(raised.value)
    assert "preparedata" in str(raised.value)


def test_metric_file_deleted_from_bucket_raises(s3_bucket, s3_client, java_tree):
    extraction = extract_tree(java_tree, folder="project")
    metric_name, _ = store_extraction(
        prefix="versions/7", extraction=extraction, root=java_tree
    )
    s3_client.delete_object(Bucket=s3_bucket, Key=f"data/{metric_name}")

    with pytest.raises(MetricFileMissing) as raised:
        load_blocks(metric_name)

    assert metric_name in str(raised.value)


def test_missing_bucket_raises_no_such_bucket(s3_settings):
    # NOTE: django-storages 1.14 raises botocore's error, which names neither
    # the bucket nor the fix; docs/aws.md points to `manage.py setupaws`.
    with pytest.raises(ClientError) as raised:
        default_storage.save("versions/8/blocks.metrics", ContentFile(b"x"))

    assert raised.value.response["Error"]["Code"] == "NoSuchBucket"
