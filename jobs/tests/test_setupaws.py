# Fixtures imported from conftest_aws are used as test arguments, which pyflakes
# reads as redefinitions.
# ruff: noqa: F401, F811
import json
import socket
from io import StringIO

import boto3
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jobs.sqs import SqsQueue
from jobs.tests.conftest_aws import (
    REGION,
    aws_environment,
    moto_endpoint,
    s3_client,
    s3_settings,
    s3_storages_setting,
    sqs_client,
    sqs_settings,
)


def run_setupaws() -> str:
    output = StringIO()
    call_command("setupaws", stdout=output)
    return output.getvalue()


def queue_attributes(sqs_client, name: str) -> dict:
    url = sqs_client.get_queue_url(QueueName=name)["QueueUrl"]
    return sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
        "Attributes"
    ]


@pytest.fixture
def queue_only(sqs_settings):
    """Configure SQS and leave the metric files in local storage."""
    sqs_settings.AWS_STORAGE_BUCKET_NAME = ""
    sqs_settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }
    return sqs_settings


@pytest.fixture
def bucket_only(s3_settings):
    """Configure S3 and leave the queue in the database."""
    s3_settings.SQS_QUEUE_NAME = ""
    return s3_settings


def test_setupaws_creates_queue(queue_only, sqs_client):
    queue_only.SQS_VISIBILITY_TIMEOUT = 1234

    output = run_setupaws()

    assert f"SQS queue {queue_only.SQS_QUEUE_NAME}: created" in output
    attributes = queue_attributes(sqs_client, queue_only.SQS_QUEUE_NAME)
    assert attributes["VisibilityTimeout"] == "1234"


def test_setupaws_reports_existing_queue(queue_only):
    run_setupaws()

    output = run_setupaws()

    assert f"SQS queue {queue_only.SQS_QUEUE_NAME}: already exists" in output


def test_setupaws_updates_visibility_timeout(queue_only, sqs_client):
    run_setupaws()
    queue_only.SQS_VISIBILITY_TIMEOUT = 900

    output = run_setupaws()

    assert "updated VisibilityTimeout" in output
    attributes = queue_attributes(sqs_client, queue_only.SQS_QUEUE_NAME)
    assert attributes["VisibilityTimeout"] == "900"


def test_setupaws_skips_bucket_without_s3(queue_only):
    output = run_setupaws()

    assert "S3 bucket: skipped, AWS_STORAGE_BUCKET_NAME is not set" in output


def test_setupaws_attaches_dead_letter_queue(queue_only, sqs_client):
    queue_only.SQS_DEAD_LETTER_QUEUE_NAME = queue_only.SQS_QUEUE_NAME + "-dead"
    queue_only.QUEUE_MAX_RECEIVES = 5

    output = run_setupaws()

    assert f"SQS queue {queue_only.SQS_DEAD_LETTER_QUEUE_NAME}: created" in output
    dead_letter = queue_attributes(sqs_client, queue_only.SQS_DEAD_LETTER_QUEUE_NAME)
    policy = json.loads(
        queue_attributes(sqs_client, queue_only.SQS_QUEUE_NAME)["RedrivePolicy"]
    )
    assert policy["deadLetterTargetArn"] == dead_letter["QueueArn"]
    assert int(policy["maxReceiveCount"]) == 6


def test_setupaws_dead_letter_queue_idempotent(queue_only):
    queue_only.SQS_DEAD_LETTER_QUEUE_NAME = queue_only.SQS_QUEUE_NAME + "-dead"
    run_setupaws()

    output = run_setupaws()

    assert "created" not in output
    assert "updated" not in output


def test_dead_letter_queue_takes_message_after_max_receives(queue_only, sqs_client):
    queue_only.SQS_DEAD_LETTER_QUEUE_NAME = queue_only.SQS_QUEUE_NAME + "-dead"
    queue_only.QUEUE_MAX_RECEIVES = 1
    run_setupaws()
    queue_url = SqsQueue().queue_url
    dead_letter_url = SqsQueue(
        queue_name=queue_only.SQS_DEAD_LETTER_QUEUE_NAME
    ).queue_url
    sqs_client.send_message(QueueUrl=queue_url, MessageBody="{oops")

    for _ in range(3):
        sqs_client.receive_message(QueueUrl=queue_url, VisibilityTimeout=0)
    dead = sqs_client.receive_message(QueueUrl=dead_letter_url)

    assert [message["Body"] for message in dead.get("Messages", [])] == ["{oops"]


def test_setupaws_creates_bucket(bucket_only, s3_client):
    output = run_setupaws()

    assert f"S3 bucket {bucket_only.AWS_STORAGE_BUCKET_NAME}: created" in output
    buckets = [bucket["Name"] for bucket in s3_client.list_buckets()["Buckets"]]
    assert bucket_only.AWS_STORAGE_BUCKET_NAME in buckets


def test_setupaws_reports_existing_bucket(bucket_only):
    run_setupaws()

    output = run_setupaws()

    assert f"S3 bucket {bucket_only.AWS_STORAGE_BUCKET_NAME}: already exists" in output


def test_setupaws_skips_queue_without_sqs(bucket_only):
    output = run_setupaws()

    assert "SQS queue: skipped, SQS_QUEUE_NAME is not set" in output


def test_setupaws_creates_bucket_outside_us_east_1(bucket_only, moto_endpoint):
    options = bucket_only.STORAGES["default"]["OPTIONS"]
    bucket_only.STORAGES = s3_storages_setting(
        bucket=options["bucket_name"], endpoint=moto_endpoint, key_prefix=""
    )
    bucket_only.STORAGES["default"]["OPTIONS"]["region_name"] = "eu-west-1"

    run_setupaws()

    client = boto3.client("s3", endpoint_url=moto_endpoint, region_name="eu-west-1")
    location = client.get_bucket_location(Bucket=options["bucket_name"])
    assert location["LocationConstraint"] == "eu-west-1"


def test_setupaws_without_aws_settings_fails(settings):
    settings.SQS_QUEUE_NAME = ""
    settings.AWS_STORAGE_BUCKET_NAME = ""
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }

    with pytest.raises(CommandError, match="Nothing to set up"):
        run_setupaws()


def test_setupaws_unreachable_endpoint_fails(queue_only):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    queue_only.AWS_SQS_ENDPOINT_URL = f"http://127.0.0.1:{port}"

    with pytest.raises(CommandError) as raised:
        run_setupaws()

    assert "Setting up the SQS queue failed" in str(raised.value)
    assert str(port) in str(raised.value)
