"""The work queue: a table in the database by default, SQS in production.

Both backends deliver a message to one worker at a time and deliver it
again after a visibility timeout unless the worker deletes it, so every
handler must be safe to run twice.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

INITIALIZE = "initialize"
COMPONENT = "component"
PREPARE = "prepare"


@dataclass
class ReceivedMessage:
    """A message handed to one worker until it deletes or releases it."""

    message_id: str
    body: dict
    receipt: str
    receive_count: int


class QueueConfigurationError(Exception):
    """The queue cannot be used until its settings or setup change, so
    retrying is no use."""


class Queue(Protocol):
    def send(self, bodies: list[dict]) -> None: ...

    def receive(
        self, *, max_messages: int = 1, wait_seconds: int = 20
    ) -> list[ReceivedMessage]: ...

    def delete(self, message: ReceivedMessage) -> None: ...

    def extend(self, message: ReceivedMessage, *, seconds: int) -> None: ...

    def release(self, message: ReceivedMessage) -> None: ...


class DatabaseQueue:
    """A queue kept in the `jobs_queuemessage` table.

    Claiming uses `select_for_update(skip_locked=True)` on databases that
    support it, so several workers can share one MySQL database. SQLite
    serializes writers, which gives the same guarantee on one machine.
    """

    poll_interval = 0.5

    def __init__(self, *, visibility_timeout: int | None = None):
        self.visibility_timeout = (
            visibility_timeout
            if visibility_timeout is not None
            else settings.DB_QUEUE_VISIBILITY_TIMEOUT
        )

    def send(self, bodies: list[dict]) -> None:
        from jobs.models import QueueMessage

        now = timezone.now()
        QueueMessage.objects.bulk_create(
            QueueMessage(body=body, visible_at=now) for body in bodies
        )

    # Maximum wait of one receive call. Polling the table is cheap, and a
    # short wait lets a stopping worker exit within seconds.
    max_wait_seconds = 2

    def receive(
        self, *, max_messages: int = 1, wait_seconds: int = 20
    ) -> list[ReceivedMessage]:
        deadline = time.monotonic() + min(wait_seconds, self.max_wait_seconds)
        while True:
            messages = self._claim(max_messages)
            if messages or time.monotonic() >= deadline:
                return messages
            time.sleep(self.poll_interval)

    def _claim(self, max_messages: int) -> list[ReceivedMessage]:
        from jobs.models import QueueMessage

        now = timezone.now()
        claimed = []
        with transaction.atomic():
            rows = list(
                QueueMessage.objects.select_for_update(skip_locked=True)
                .filter(visible_at__lte=now)
                .order_by("id")[:max_messages]
            )
            for row in rows:
                row.receipt = uuid.uuid4().hex
                row.receive_count += 1
                row.visible_at = now + timedelta(seconds=self.visibility_timeout)
                row.save(update_fields=["receipt", "receive_count", "visible_at"])
                claimed.append(
                    ReceivedMessage(
                        message_id=str(row.pk),
                        body=row.body,
                        receipt=row.receipt,
                        receive_count=row.receive_count,
                    )
                )
        return claimed

    def delete(self, message: ReceivedMessage) -> None:
        from jobs.models import QueueMessage

        QueueMessage.objects.filter(
            pk=message.message_id, receipt=message.receipt
        ).delete()

    def extend(self, message: ReceivedMessage, *, seconds: int) -> None:
        from jobs.models import QueueMessage

        QueueMessage.objects.filter(
            pk=message.message_id, receipt=message.receipt
        ).update(visible_at=timezone.now() + timedelta(seconds=seconds))

    def release(self, message: ReceivedMessage) -> None:
        from jobs.models import QueueMessage

        QueueMessage.objects.filter(
            pk=message.message_id, receipt=message.receipt
        ).update(visible_at=timezone.now())


def get_queue() -> Queue:
    """Build the queue the settings choose: SQS when SQS_QUEUE_NAME is set."""
    if settings.QUEUE_BACKEND:
        return import_string(settings.QUEUE_BACKEND)()
    if settings.SQS_QUEUE_NAME:
        from jobs.sqs import SqsQueue

        return SqsQueue()
    return DatabaseQueue()


def enqueue(bodies: list[dict]) -> None:
    """Send messages once the current transaction commits, so a worker never
    receives a message about rows it cannot see yet.

    A failed send is logged and not raised, because the rows are committed
    by then. `python manage.py requeuejobs` queues their work again.
    """
    if not bodies:
        return
    transaction.on_commit(partial(_send_logged, bodies))


def send_now(bodies: list[dict]) -> None:
    """Send messages at once, raising when the queue cannot take them."""
    get_queue().send(bodies)
    logger.info("Sent %d queue messages: %s", len(bodies), _summarize(bodies))


def _send_logged(bodies: list[dict]) -> None:
    try:
        send_now(bodies)
    except Exception:
        logger.exception(
            "Sending %d queue messages failed: %s. Run `manage.py requeuejobs` "
            "once the queue is back.",
            len(bodies),
            _summarize(bodies),
        )


def _summarize(bodies: list[dict]) -> str:
    shown = ", ".join(str(body) for body in bodies[:3])
    if len(bodies) > 3:
        shown += f" and {len(bodies) - 3} more"
    return shown
