"""The work queue on Amazon SQS, and the setup of its queues.

SQS hands each message to one receiver at a time and hands it out again
when its visibility timeout runs out before the receiver deletes it. The
worker deletes a message only after its work is committed, so a worker that
dies mid-message leaves the message to another worker.
"""

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.conf import settings

from jobs.queue import QueueConfigurationError, ReceivedMessage

logger = logging.getLogger(__name__)

# Limits of the SQS API: messages per SendMessageBatch or ReceiveMessage
# call, seconds of long polling, and seconds of visibility timeout.
MAX_BATCH_SIZE = 10
MAX_WAIT_SECONDS = 20
MAX_VISIBILITY_TIMEOUT = 43200

# Calls that fail with a network error, a throttling code or a server error
# are tried this many times in all, waiting RETRY_DELAY * 2**n seconds.
MAX_ATTEMPTS = 4
RETRY_DELAY = 0.5
THROTTLING_CODES = {
    "Throttling",
    "ThrottlingException",
    "RequestThrottled",
    "RequestThrottledException",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
}
QUEUE_MISSING_CODES = {
    "AWS.SimpleQueueService.NonExistentQueue",
    "QueueDoesNotExist",
}
RECEIPT_INVALID_CODES = {
    "ReceiptHandleIsInvalid",
    "InvalidParameterValue",
    "AWS.SimpleQueueService.MessageNotInflight",
    "MessageNotInflight",
}


# Queue URLs by (endpoint, region, name), shared by the SqsQueue objects of
# one process, because the API server builds one for every job it queues.
_queue_urls: dict[tuple[str | None, str | None, str], str] = {}
_client_lock = threading.Lock()


class SqsError(Exception):
    """An SQS call that failed after its retries."""


class QueueNotFoundError(SqsError, QueueConfigurationError):
    """The configured queue does not exist at the endpoint."""


def create_sqs_client(
    *, endpoint_url: str | None = None, region_name: str | None = None
) -> Any:
    """Create an SQS client whose calls this module retries itself, so each
    retry is logged with the message ids it concerns.

    Clients come from boto3's default session, which caches the service
    model, under a lock because creating clients from one session is not
    thread-safe.
    """
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    with _client_lock:
        return boto3.client(
            "sqs", endpoint_url=endpoint_url, region_name=region_name, config=config
        )


def error_code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


def is_transient(error: Exception) -> bool:
    """Return whether trying the same call again may succeed."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error_code(error) in THROTTLING_CODES or status >= 500
    return isinstance(error, BotoConnectionError | HTTPClientError)


def call_with_retries(call: Callable[[], Any], *, operation: str, subject: str) -> Any:
    """Run one SQS call, retrying transient failures with exponential backoff.

    `subject` names the queue and message ids in log lines and errors.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return call()
        except (BotoCoreError, ClientError) as error:
            if not is_transient(error) or attempt == MAX_ATTEMPTS:
                raise
            delay = RETRY_DELAY * 2 ** (attempt - 1)
            logger.warning(
                "SQS %s failed for %s (attempt %d of %d), retrying in %.1f s: %s",
                operation,
                subject,
                attempt,
                MAX_ATTEMPTS,
                delay,
                error,
            )
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def chunked(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class SqsQueue:
    """The job queue on one SQS queue, chosen by name.

    Arguments left out come from the settings SQS_QUEUE_NAME,
    AWS_SQS_ENDPOINT_URL and AWS_SQS_REGION_NAME. Credentials come from the
    usual boto3 sources (environment, shared files, instance role).
    """

    def __init__(
        self,
        *,
        queue_name: str | None = None,
        endpoint_url: str | None = None,
        region_name: str | None = None,
    ):
        self.queue_name = queue_name or settings.SQS_QUEUE_NAME
        self.endpoint_url = endpoint_url or settings.AWS_SQS_ENDPOINT_URL
        self.region_name = region_name or settings.AWS_SQS_REGION_NAME
        self.client = create_sqs_client(
            endpoint_url=self.endpoint_url, region_name=self.region_name
        )
        self._queue_url: str | None = None

    @property
    def queue_url(self) -> str:
        """The queue's URL, looked up by name on first use and then cached."""
        if self._queue_url is None:
            key = (self.endpoint_url, self.region_name, self.queue_name)
            if key not in _queue_urls:
                _queue_urls[key] = self._resolve_queue_url()
            self._queue_url = _queue_urls[key]
        return self._queue_url

    def _forget_queue_url(self) -> None:
        self._queue_url = None
        _queue_urls.pop((self.endpoint_url, self.region_name, self.queue_name), None)

    def _resolve_queue_url(self) -> str:
        try:
            response = call_with_retries(
                lambda: self.client.get_queue_url(QueueName=self.queue_name),
                operation="GetQueueUrl",
                subject=f"queue {self.queue_name}",
            )
        except ClientError as error:
            if error_code(error) in QUEUE_MISSING_CODES:
                raise QueueNotFoundError(self._missing_message()) from error
            raise SqsError(
                f"Looking up SQS queue {self.queue_name!r} failed: {error}"
            ) from error
        except BotoCoreError as error:
            raise SqsError(
                f"Looking up SQS queue {self.queue_name!r} failed at "
                f"{self._endpoint_label()}: {error}. Check AWS_SQS_ENDPOINT_URL, "
                "AWS_SQS_REGION_NAME and the AWS credentials."
            ) from error
        return response["QueueUrl"]

    def _endpoint_label(self) -> str:
        if self.endpoint_url:
            return self.endpoint_url
        return f"the AWS endpoint of region {self.client.meta.region_name}"

    def _missing_message(self) -> str:
        return (
            f"SQS queue {self.queue_name!r} does not exist at "
            f"{self._endpoint_label()}. Run `python manage.py setupaws` to create "
            "it, or set SQS_QUEUE_NAME to an existing queue."
        )

    def send(self, bodies: list[dict]) -> None:
        """Send the bodies as JSON, up to ten per call, retrying the entries
        SQS reports as failed."""
        for batch in chunked(bodies, MAX_BATCH_SIZE):
            self._send_batch(batch)

    def _send_batch(self, bodies: list[dict]) -> None:
        pending = {str(index): body for index, body in enumerate(bodies)}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            entries = [
                {"Id": entry_id, "MessageBody": json.dumps(body)}
                for entry_id, body in pending.items()
            ]
            response = self._call(
                "SendMessageBatch",
                lambda entries=entries: self.client.send_message_batch(
                    QueueUrl=self.queue_url, Entries=entries
                ),
            )
            failed = response.get("Failed", [])
            if not failed:
                return
            retryable = [entry for entry in failed if not entry.get("SenderFault")]
            if len(retryable) < len(failed) or attempt == MAX_ATTEMPTS:
                raise SqsError(self._send_failure_message(failed, pending))
            logger.warning(
                "SQS SendMessageBatch to %s failed for %d of %d messages "
                "(attempt %d of %d), retrying them: %s",
                self.queue_name,
                len(failed),
                len(pending),
                attempt,
                MAX_ATTEMPTS,
                failed[0].get("Message", failed[0].get("Code")),
            )
            pending = {entry["Id"]: pending[entry["Id"]] for entry in failed}
            time.sleep(RETRY_DELAY * 2 ** (attempt - 1))

    def _send_failure_message(self, failed: list[dict], pending: dict) -> str:
        details = "; ".join(
            f"{pending[entry['Id']]}: {entry.get('Code')} {entry.get('Message', '')}"
            for entry in failed[:3]
        )
        return (
            f"Sending {len(failed)} messages to SQS queue {self.queue_name!r} "
            f"failed: {details}"
        )

    def receive(
        self, *, max_messages: int = 1, wait_seconds: int = 20
    ) -> list[ReceivedMessage]:
        """Long-poll for up to `max_messages` (at most ten) messages.

        A message whose body is not a JSON object is logged and left on the
        queue, so it comes back after its visibility timeout and ends in the
        dead-letter queue once it has been received too often.
        """
        response = self._call(
            "ReceiveMessage",
            lambda: self.client.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=max(1, min(max_messages, MAX_BATCH_SIZE)),
                WaitTimeSeconds=max(0, min(wait_seconds, MAX_WAIT_SECONDS)),
                MessageSystemAttributeNames=["ApproximateReceiveCount"],
            ),
        )
        received = []
        for raw in response.get("Messages", []):
            message = self._parse(raw)
            if message is not None:
                received.append(message)
        return received

    def _parse(self, raw: dict) -> ReceivedMessage | None:
        receive_count = int(raw.get("Attributes", {}).get("ApproximateReceiveCount", 1))
        try:
            body = json.loads(raw["Body"])
        except ValueError as error:
            body, reason = None, f"invalid JSON ({error})"
        else:
            reason = f"a JSON {type(body).__name__}, not an object"
        if not isinstance(body, dict):
            logger.error(
                "Skipped SQS message %s from %s (received %d times): its body is "
                "%s. It returns after the visibility timeout: %.200r",
                raw["MessageId"],
                self.queue_name,
                receive_count,
                reason,
                raw["Body"],
            )
            return None
        return ReceivedMessage(
            message_id=raw["MessageId"],
            body=body,
            receipt=raw["ReceiptHandle"],
            receive_count=receive_count,
        )

    def delete(self, message: ReceivedMessage) -> None:
        """Delete a message whose work is committed.

        A receipt that is no longer valid is logged, not raised: the message
        then comes back, and its handler is safe to run again.
        """
        self._call_for_message(
            "DeleteMessage",
            message,
            lambda: self.client.delete_message(
                QueueUrl=self.queue_url, ReceiptHandle=message.receipt
            ),
        )

    def extend(self, message: ReceivedMessage, *, seconds: int) -> None:
        """Keep a message hidden from other workers for `seconds` from now
        (at most 12 hours after it was received, an SQS limit)."""
        self._change_visibility(message, max(0, min(seconds, MAX_VISIBILITY_TIMEOUT)))

    def release(self, message: ReceivedMessage) -> None:
        """Make a message visible to other workers at once."""
        self._change_visibility(message, 0)

    def _change_visibility(self, message: ReceivedMessage, seconds: int) -> None:
        self._call_for_message(
            "ChangeMessageVisibility",
            message,
            lambda: self.client.change_message_visibility(
                QueueUrl=self.queue_url,
                ReceiptHandle=message.receipt,
                VisibilityTimeout=seconds,
            ),
        )

    def _call_for_message(
        self, operation: str, message: ReceivedMessage, call: Callable[[], Any]
    ) -> None:
        try:
            self._call(operation, call, message_id=message.message_id)
        except SqsError as error:
            cause = error.__cause__
            if not (
                isinstance(cause, ClientError)
                and error_code(cause) in RECEIPT_INVALID_CODES
            ):
                raise
            logger.warning(
                "SQS %s skipped for message %s on %s: its receipt is no longer "
                "valid, so the message may be delivered again: %s",
                operation,
                message.message_id,
                self.queue_name,
                cause,
            )

    def _call(
        self, operation: str, call: Callable[[], Any], *, message_id: str = ""
    ) -> Any:
        subject = f"queue {self.queue_name}"
        if message_id:
            subject = f"message {message_id} on {subject}"
        try:
            return call_with_retries(call, operation=operation, subject=subject)
        except ClientError as error:
            if error_code(error) in QUEUE_MISSING_CODES:
                self._forget_queue_url()
                raise QueueNotFoundError(self._missing_message()) from error
            raise SqsError(f"SQS {operation} failed for {subject}: {error}") from error
        except BotoCoreError as error:
            raise SqsError(
                f"SQS {operation} failed for {subject} at {self._endpoint_label()}: "
                f"{error}"
            ) from error


@dataclass
class SetupOutcome:
    """The outcome of setting up one AWS resource, as setupaws prints it."""

    resource: str
    name: str
    action: str


def ensure_queues(
    *,
    queue_name: str,
    visibility_timeout: int,
    dead_letter_queue_name: str = "",
    max_receives: int = 5,
    endpoint_url: str | None = None,
    region_name: str | None = None,
) -> list[SetupOutcome]:
    """Create the job queue, and its dead-letter queue when one is named,
    or bring existing ones to these attributes.

    SQS moves a message to the dead-letter queue after `max_receives + 1`
    deliveries. The worker deletes a message delivered more than
    `max_receives` times and marks its job or component ERROR, so only
    messages it could not parse reach the dead-letter queue.
    """
    client = create_sqs_client(endpoint_url=endpoint_url, region_name=region_name)
    outcomes = []
    attributes = {"VisibilityTimeout": str(visibility_timeout)}
    if dead_letter_queue_name:
        # SQS keeps a message at most 14 days, so dead letters stay that long.
        dead_letter = ensure_queue(
            client,
            name=dead_letter_queue_name,
            attributes={"MessageRetentionPeriod": "1209600"},
        )
        outcomes.append(dead_letter)
        dead_letter_arn = queue_arn(client, name=dead_letter_queue_name)
        attributes["RedrivePolicy"] = json.dumps(
            {
                "deadLetterTargetArn": dead_letter_arn,
                "maxReceiveCount": str(max_receives + 1),
            }
        )
    outcomes.append(ensure_queue(client, name=queue_name, attributes=attributes))
    return outcomes


def ensure_queue(client: Any, *, name: str, attributes: dict[str, str]) -> SetupOutcome:
    """Create one queue with these attributes, or set them on the existing
    queue where they differ."""
    try:
        url = client.get_queue_url(QueueName=name)["QueueUrl"]
    except ClientError as error:
        if error_code(error) not in QUEUE_MISSING_CODES:
            raise
        client.create_queue(QueueName=name, Attributes=attributes)
        logger.info("Created SQS queue %s with %s", name, attributes)
        return SetupOutcome("SQS queue", name, "created")

    current = client.get_queue_attributes(
        QueueUrl=url, AttributeNames=list(attributes)
    ).get("Attributes", {})
    changed = {
        key: value
        for key, value in attributes.items()
        if not same_attribute(current.get(key), value)
    }
    if not changed:
        return SetupOutcome("SQS queue", name, "already exists")
    client.set_queue_attributes(QueueUrl=url, Attributes=changed)
    logger.info("Updated SQS queue %s: %s", name, changed)
    return SetupOutcome(
        "SQS queue", name, f"already exists, updated {', '.join(sorted(changed))}"
    )


def same_attribute(current: str | None, expected: str) -> bool:
    """Compare queue attributes, reading JSON ones (RedrivePolicy) as data
    because SQS may return their numbers as numbers or strings."""
    if current is None:
        return False
    if expected.startswith("{"):
        try:
            current_data = json.loads(current)
        except ValueError:
            return False
        expected_data = json.loads(expected)
        return {key: str(value) for key, value in current_data.items()} == {
            key: str(value) for key, value in expected_data.items()
        }
    return current == expected


def queue_arn(client: Any, *, name: str) -> str:
    url = client.get_queue_url(QueueName=name)["QueueUrl"]
    response = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return response["Attributes"]["QueueArn"]
