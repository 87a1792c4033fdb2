"""Create the S3 bucket and the SQS queues the settings name."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError

from jobs.sqs import SetupOutcome, ensure_queues, error_code

logger = logging.getLogger(__name__)

S3_BACKEND = "storages.backends.s3.S3Storage"


class Command(BaseCommand):
    help = (
        "Create the S3 bucket (AWS_STORAGE_BUCKET_NAME) and the SQS queue "
        "(SQS_QUEUE_NAME, with SQS_DEAD_LETTER_QUEUE_NAME when set) when they "
        "are missing, and set the queue's visibility timeout "
        "(SQS_VISIBILITY_TIMEOUT, seconds). Safe to run again."
    )

    def handle(self, *args, **options):
        uses_s3 = settings.STORAGES["default"]["BACKEND"] == S3_BACKEND
        if not uses_s3 and not settings.SQS_QUEUE_NAME:
            raise CommandError(
                "Nothing to set up: neither AWS_STORAGE_BUCKET_NAME nor "
                "SQS_QUEUE_NAME is set. Set them to use S3 and SQS."
            )

        outcomes = []
        if uses_s3:
            outcomes.append(self.run_step("S3 bucket", ensure_bucket))
        else:
            self.stdout.write(
                "S3 bucket: skipped, AWS_STORAGE_BUCKET_NAME is not set "
                "(metric files stay in local storage)"
            )
        if settings.SQS_QUEUE_NAME:
            outcomes.extend(self.run_step("SQS queue", ensure_job_queues))
        else:
            self.stdout.write(
                "SQS queue: skipped, SQS_QUEUE_NAME is not set "
                "(the queue stays in the database)"
            )

        for outcome in outcomes:
            self.stdout.write(f"{outcome.resource} {outcome.name}: {outcome.action}")

    def run_step(self, resource, step):
        try:
            return step()
        except (BotoCoreError, ClientError) as error:
            raise CommandError(
                f"Setting up the {resource} failed: {error}. Check the AWS "
                "credentials, the region and the endpoint settings."
            ) from error


def ensure_bucket() -> SetupOutcome:
    """Create the storage's bucket unless it exists, through the storage's
    own client so the endpoint, region and credentials are the same."""
    storage = storages["default"]
    client = storage.connection.meta.client
    name = storage.bucket_name
    try:
        client.head_bucket(Bucket=name)
    except ClientError as error:
        if error_code(error) not in {"404", "NoSuchBucket", "NotFound"}:
            if error_code(error) in {"403", "AccessDenied", "Forbidden"}:
                raise CommandError(
                    f"S3 bucket {name!r} exists but these credentials cannot "
                    "access it. Use another AWS_STORAGE_BUCKET_NAME or grant "
                    "access."
                ) from error
            raise
    else:
        return SetupOutcome("S3 bucket", name, "already exists")

    region = client.meta.region_name
    arguments = {"Bucket": name}
    # us-east-1 is the one region that rejects a location constraint.
    if region and region != "us-east-1":
        arguments["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**arguments)
    except ClientError as error:
        if error_code(error) != "BucketAlreadyOwnedByYou":
            raise
        return SetupOutcome("S3 bucket", name, "already exists")
    logger.info("Created S3 bucket %s in region %s", name, region)
    return SetupOutcome("S3 bucket", name, "created")


def ensure_job_queues() -> list[SetupOutcome]:
    return ensure_queues(
        queue_name=settings.SQS_QUEUE_NAME,
        visibility_timeout=settings.SQS_VISIBILITY_TIMEOUT,
        dead_letter_queue_name=settings.SQS_DEAD_LETTER_QUEUE_NAME,
        max_receives=settings.QUEUE_MAX_RECEIVES,
        endpoint_url=settings.AWS_SQS_ENDPOINT_URL,
        region_name=settings.AWS_SQS_REGION_NAME,
    )
