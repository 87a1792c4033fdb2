# Fixtures imported from conftest_aws are used as test arguments, which pyflakes
# reads as redefinitions.
# ruff: noqa: F401, F811
import json
import logging
import socket
import time

import pytest

from jobs import sqs
from jobs.queue import enqueue, get_queue
from jobs.sqs import QueueNotFoundError, SqsError, SqsQueue, ensure_queues
from jobs.tests.conftest_aws import (
    REGION,
    aws_environment,
    moto_endpoint,
    sqs_client,
    sqs_queue_name,
    sqs_settings,
)


def queue_counts(sqs_client, queue: SqsQueue) -> tuple[int, int]:
    """Return the visible and in-flight message counts of a queue."""
    attributes = sqs_client.get_queue_attributes(
        QueueUrl=queue.queue_url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
        ],
    )["Attributes"]
    return (
        int(attributes["ApproximateNumberOfMessages"]),
        int(attributes["ApproximateNumberOfMessagesNotVisible"]),
    )


def receive_all(queue: SqsQueue, expected: int) -> list:
    messages = []
    for _ in range(expected + 5):
        batch = queue.receive(max_messages=10, wait_seconds=1)
        messages.extend(batch)
        if len(messages) >= expected:
            break
    return messages


def short_visibility_queue(sqs_settings, seconds: int) -> SqsQueue:
    name = sqs_settings.SQS_QUEUE_NAME + "-short"
    ensure_queues(
        queue_name=name,
        visibility_timeout=seconds,
        endpoint_url=sqs_settings.AWS_SQS_ENDPOINT_URL,
        region_name=REGION,
    )
    return SqsQueue(queue_name=name)


def closed_port() -> int:
    """Return a local port that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_send_receive_round_trip(sqs_queue_name):
    queue = SqsQueue()
    body = {"type": "component", "component_id": 7}

    queue.send([body])
    messages = queue.receive(wait_seconds=1)

    assert [message.body for message in messages] == [body]
    assert messages[0].receive_count == 1
    assert messages[0].message_id
    assert messages[0].receipt


def test_send_splits_batches_of_ten(sqs_queue_name):
    queue = SqsQueue()
    bodies = [{"type": "component", "component_id": number} for number in range(25)]

    queue.send(bodies)
    messages = receive_all(queue, expected=25)

    received_ids = sorted(message.body["component_id"] for message in messages)
    assert received_ids == list(range(25))


def test_send_batch_calls_carry_ten_messages_at_most(sqs_queue_name):
    queue = SqsQueue()
    batch_sizes = []
    queue.client.meta.events.register(
        "provide-client-params.sqs.SendMessageBatch",
        lambda params, **kwargs: batch_sizes.append(len(params["Entries"])),
    )

    queue.send([{"type": "component", "component_id": n} for n in range(23)])

    assert batch_sizes == [10, 10, 3]


def test_send_nothing_makes_no_call(sqs_queue_name):
    queue = SqsQueue()
    calls = []
    queue.client.meta.events.register(
        "provide-client-params.sqs.*", lambda **kwargs: calls.append(kwargs)
    )

    queue.send([])

    assert calls == []


def test_queue_url_looked_up_once(sqs_queue_name):
    queue = SqsQueue()
    lookups = []
    queue.client.meta.events.register(
        "provide-client-params.sqs.GetQueueUrl",
        lambda **kwargs: lookups.append(kwargs),
    )

    queue.send([{"type": "initialize", "job_id": 1}])
    queue.send([{"type": "initialize", "job_id": 2}])
    queue.receive(max_messages=2, wait_seconds=1)

    assert len(lookups) == 1


def test_receive_empty_queue_returns_nothing(sqs_queue_name):
    queue = SqsQueue()

    assert queue.receive(wait_seconds=0) == []


def test_receive_long_polls_up_to_twenty_seconds(sqs_queue_name):
    queue = SqsQueue()
    waits = []
    queue.client.meta.events.register(
        "provide-client-params.sqs.ReceiveMessage",
        lambda params, **kwargs: waits.append(params["WaitTimeSeconds"]),
    )
    queue.send([{"type": "initialize", "job_id": 1}])

    queue.receive(wait_seconds=90)

    assert waits == [20]


def test_release_makes_message_visible_again(sqs_queue_name):
    queue = SqsQueue()
    queue.send([{"type": "initialize", "job_id": 3}])
    [first] = queue.receive(wait_seconds=1)

    queue.release(first)
    again = queue.receive(wait_seconds=1)

    assert [message.message_id for message in again] == [first.message_id]
    assert again[0].receive_count == 2


def test_message_reappears_after_visibility_timeout(sqs_settings):
    queue = short_visibility_queue(sqs_settings, seconds=1)
    queue.send([{"type": "initialize", "job_id": 4}])
    [first] = queue.receive(wait_seconds=1)

    time.sleep(1.5)
    again = queue.receive(wait_seconds=1)

    assert [message.message_id for message in again] == [first.message_id]
    assert again[0].receive_count == 2


def test_extend_keeps_message_hidden(sqs_settings):
    queue = short_visibility_queue(sqs_settings, seconds=1)
    queue.send([{"type": "initialize", "job_id": 5}])
    [message] = queue.receive(wait_seconds=1)

    queue.extend(message, seconds=60)
    time.sleep(1.5)

    assert queue.receive(wait_seconds=0) == []


def test_delete_removes_message(sqs_client, sqs_queue_name):
    queue = SqsQueue()
    queue.send([{"type": "initialize", "job_id": 6}])
    [message] = queue.receive(wait_seconds=1)

    queue.delete(message)

    assert queue_counts(sqs_client, queue) == (0, 0)


def test_release_with_invalid_receipt_logs_warning(sqs_queue_name, caplog):
    queue = SqsQueue()
    queue.send([{"type": "initialize", "job_id": 8}])
    [message] = queue.receive(wait_seconds=1)
    message.receipt = "invalid-receipt"

    with caplog.at_level(logging.WARNING, logger="jobs.sqs"):
        queue.release(message)

    assert message.message_id in caplog.text
    assert "receipt is no longer valid" in caplog.text


def test_receive_skips_body_that_is_not_json(sqs_client, sqs_queue_name, caplog):
    queue = SqsQueue()
    sent = sqs_client.send_message(QueueUrl=queue.queue_url, MessageBody="{oops")

    with caplog.at_level(logging.ERROR, logger="jobs.sqs"):
        messages = queue.receive(wait_seconds=1)

    assert messages == []
    assert sent["MessageId"] in caplog.text
    assert "invalid JSON" in caplog.text


def test_receive_skips_body_that_is_not_object(sqs_client, sqs_queue_name, caplog):
    queue = SqsQueue()
    sqs_client.send_message(QueueUrl=queue.queue_url, MessageBody=json.dumps([1]))

    with caplog.at_level(logging.ERROR, logger="jobs.sqs"):
        messages = queue.receive(wait_seconds=1)

    assert messages == []
    assert "a JSON list, not an object" in caplog.text


def test_skipped_message_stays_on_queue(sqs_client, sqs_queue_name):
    queue = SqsQueue()
    sqs_client.send_message(QueueUrl=queue.queue_url, MessageBody="{oops")

    queue.receive(wait_seconds=1)

    assert queue_counts(sqs_client, queue) == (0, 1)


def test_missing_queue_error_names_setupaws(sqs_settings):
    queue = SqsQueue()

    with pytest.raises(QueueNotFoundError) as raised:
        queue.send([{"type": "initialize", "job_id": 1}])

    assert sqs_settings.SQS_QUEUE_NAME in str(raised.value)
    assert "python manage.py setupaws" in str(raised.value)


def test_unreachable_endpoint_retries_then_fails(sqs_settings, monkeypatch, caplog):
    monkeypatch.setattr(sqs, "RETRY_DELAY", 0.01)
    endpoint = f"http://127.0.0.1:{closed_port()}"
    queue = SqsQueue(endpoint_url=endpoint)

    with caplog.at_level(logging.WARNING, logger="jobs.sqs"):
        with pytest.raises(SqsError) as raised:
            queue.receive(wait_seconds=0)

    assert endpoint in str(raised.value)
    retries = [record for record in caplog.records if "retrying" in record.message]
    assert len(retries) == sqs.MAX_ATTEMPTS - 1
    assert sqs_settings.SQS_QUEUE_NAME in retries[0].message


def test_get_queue_returns_sqs_queue(sqs_queue_name):
    assert isinstance(get_queue(), SqsQueue)


@pytest.mark.django_db
def test_enqueue_sends_after_commit(sqs_queue_name, django_capture_on_commit_callbacks):
    body = {"type": "prepare", "source": "/tmp/x", "tag": "v1", "library": "g:a"}

    with django_capture_on_commit_callbacks(execute=True):
        enqueue([body])
    messages = SqsQueue().receive(wait_seconds=1)

    assert [message.body for message in messages] == [body]


def test_send_oversized_batch_raises(sqs_queue_name):
    queue = SqsQueue()

    with pytest.raises(SqsError) as raised:
        queue.send([{"type": "prepare", "padding": "a" * 1_100_000}])

    assert sqs_queue_name in str(raised.value)
    assert "BatchRequestTooLong" in str(raised.value)
