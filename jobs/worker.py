"""The queue worker behind `runjobs`: receive a message, handle it, delete it.

A message is deleted only after its handler has committed. A handler that
fails on bad input marks its job or component ERROR and the message is
deleted, so one bad job does not block the queue. An unreachable database or
S3 leaves the message for a later delivery instead. A message delivered more
than QUEUE_MAX_RECEIVES times is marked ERROR and deleted, unless the
database cannot record that, in which case it stays on the queue.
"""

import logging
import signal
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from jobs import queue as queues
from jobs import services
from jobs.queue import Queue, QueueConfigurationError, ReceivedMessage

logger = logging.getLogger(__name__)

RECEIVE_RETRY_SECONDS = 2.0
# Seconds a message waits after a database error before it is tried again.
DATABASE_RETRY_SECONDS = 30
# Consecutive failed receives after which the worker stops, so a worker
# with wrong settings exits instead of logging errors forever.
MAX_RECEIVE_FAILURES = 30


class QueueUnavailable(Exception):
    """The queue could not be read for a long time."""


def _transient_errors() -> tuple[type[Exception], ...]:
    """Errors of an unreachable database or object storage, which pass."""
    from botocore.exceptions import ConnectionError as StorageConnectionError
    from botocore.exceptions import HTTPClientError

    return (OperationalError, InterfaceError, StorageConnectionError, HTTPClientError)


def _expected_errors() -> tuple[type[Exception], ...]:
    """Errors whose message is a complete reason for the client."""
    from metrics.files import MetricFileMissing
    from projects.git import GitError
    from projects.snapshot import SnapshotError

    return (services.JobInputError, GitError, SnapshotError, MetricFileMissing)


class Worker:
    """Handle queue messages one at a time until stopped."""

    def __init__(
        self,
        *,
        queue: Queue | None = None,
        wait_seconds: int = 20,
        visibility_timeout: int | None = None,
    ):
        self.queue = queue or queues.get_queue()
        self.wait_seconds = wait_seconds
        self.visibility_timeout = visibility_timeout or settings.SQS_VISIBILITY_TIMEOUT
        self.stopping = threading.Event()
        self.receive_failed = False

    def run(self, *, once: bool = False) -> int:
        """Poll until stopped, or with `once` until the queue is empty.

        Returns the number of messages handled.
        """
        handled = 0
        logger.info("Worker started (queue %s)", type(self.queue).__name__)
        failures = 0
        with _stop_on_signals(self.stopping):
            while not self.stopping.is_set():
                count = self.poll_once()
                handled += count
                failures = failures + 1 if self.receive_failed else 0
                if failures >= MAX_RECEIVE_FAILURES:
                    raise QueueUnavailable(
                        f"Receiving from the queue failed {failures} times in a "
                        "row; see the log above. Check the database or queue "
                        "settings."
                    )
                if once and count == 0 and not self.receive_failed:
                    break
        logger.info("Worker stopped after %d messages", handled)
        return handled

    def poll_once(self) -> int:
        """Receive and handle at most one message; return how many were handled.

        A failed receive (a locked or lost database, an unreachable queue) is
        logged and counts as no message, and `receive_failed` is set.
        """
        _close_stale_connections()
        wait = 1 if self.stopping.is_set() else self.wait_seconds
        try:
            messages = self.queue.receive(max_messages=1, wait_seconds=wait)
        except QueueConfigurationError as error:
            raise QueueUnavailable(str(error)) from error
        except Exception as error:
            # The traceback once, then one line a failure, so an outage does
            # not flood the log.
            if self.receive_failed:
                logger.warning("Receiving from the queue failed again: %s", error)
            else:
                logger.exception("Receiving from the queue failed; retrying")
            self.receive_failed = True
            _close_all_connections()
            self.stopping.wait(RECEIVE_RETRY_SECONDS)
            return 0
        self.receive_failed = False
        for message in messages:
            self.handle(message)
        _close_stale_connections()
        return len(messages)

    def handle(self, message: ReceivedMessage) -> None:
        """Run the handler of one message and delete it unless it must retry."""
        body = message.body if isinstance(message.body, dict) else {}
        kind = body.get("type")
        if message.receive_count > settings.QUEUE_MAX_RECEIVES:
            reason = (
                f"Gave up after {message.receive_count - 1} deliveries of the "
                f"{kind} message; see the worker logs for the earlier failures."
            )
            # Without a recorded failure the message stays, or its component
            # would wait for ever; it comes back after the visibility timeout.
            if _record_failure(body, reason):
                self._delete(message)
            return

        handler = _HANDLERS.get(kind)
        if handler is None:
            logger.error(
                "Deleted message %s of unknown type %r: %s",
                message.message_id,
                kind,
                message.body,
            )
            self._delete(message)
            return

        with _Heartbeat(self.queue, message, self.visibility_timeout):
            try:
                handler(body)
            except _transient_errors() as error:
                delay = 0 if _is_lock_conflict(error) else DATABASE_RETRY_SECONDS
                logger.exception(
                    "Database or storage error on message %s %s; retrying in %d s",
                    message.message_id,
                    body,
                    delay,
                )
                _close_all_connections()
                self._retry_later(message, seconds=delay)
                return
            except _expected_errors() as error:
                recorded = _record_failure(body, str(error))
            except Exception as error:
                logger.exception(
                    "Failed to handle message %s %s", message.message_id, body
                )
                recorded = _record_failure(
                    body,
                    f"Internal error: {type(error).__name__}: {error}. "
                    "See the worker log for the traceback.",
                )
            else:
                recorded = True
        if recorded:
            self._delete(message)

    def _delete(self, message: ReceivedMessage) -> None:
        """Delete a handled message. A failed delete only means it comes back
        later, which the handlers allow."""
        try:
            self.queue.delete(message)
        except Exception:
            logger.exception("Could not delete message %s", message.message_id)

    def _retry_later(self, message: ReceivedMessage, *, seconds: int) -> None:
        """Hide the message for `seconds`, so an outage does not use up its
        deliveries within seconds. A lock conflict is retried at once."""
        try:
            if seconds:
                self.queue.extend(message, seconds=seconds)
            else:
                self.queue.release(message)
        except Exception:
            logger.exception(
                "Could not delay message %s; it returns after the visibility timeout",
                message.message_id,
            )


def _handle_initialize(body: dict) -> None:
    services.initialize_job(job_id=int(body["job_id"]))


def _handle_component(body: dict) -> None:
    services.run_component(component_id=int(body["component_id"]))


def _handle_prepare(body: dict) -> None:
    from projects.services import prepare_from_message

    prepare_from_message(body)


_HANDLERS: dict[str, Callable[[dict], None]] = {
    queues.INITIALIZE: _handle_initialize,
    queues.COMPONENT: _handle_component,
    queues.PREPARE: _handle_prepare,
}


# MySQL and MariaDB error codes of a deadlock and of a lock wait timeout,
# which pass as soon as the other transaction ends.
LOCK_CONFLICT_CODES = {1205, 1213}


def _is_lock_conflict(error: Exception) -> bool:
    code = error.args[0] if error.args else None
    return isinstance(error, OperationalError) and code in LOCK_CONFLICT_CODES


def _record_failure(body: dict, reason: str) -> bool:
    """Store a failure on the job or component the message is about.

    Returns False when the database could not be written, so the message
    must stay on the queue.
    """
    kind = body.get("type")
    try:
        if kind == queues.INITIALIZE:
            services.fail_job(job_id=int(body["job_id"]), reason=reason)
        elif kind == queues.COMPONENT:
            services.fail_component(
                component_id=int(body["component_id"]), reason=reason
            )
        else:
            logger.error("Message %s failed: %s", body, reason)
    except (KeyError, TypeError, ValueError):
        logger.exception("Message %s names no valid job or component", body)
    except DatabaseError:
        logger.exception("Could not record the failure of message %s", body)
        _close_all_connections()
        return False
    return True


class _Heartbeat:
    """Extend a message's visibility while its handler runs, so a long
    component is not delivered to a second worker."""

    def __init__(self, queue: Queue, message: ReceivedMessage, timeout: int):
        self.queue = queue
        self.message = message
        self.timeout = timeout
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.thread.join()

    def _beat(self) -> None:
        interval = max(1.0, self.timeout / 3)
        try:
            while not self.done.wait(interval):
                try:
                    self.queue.extend(self.message, seconds=self.timeout)
                except Exception:
                    logger.exception(
                        "Could not extend the visibility of message %s",
                        self.message.message_id,
                    )
        finally:
            connections.close_all()


class _stop_on_signals:
    """Set `stopping` on SIGTERM and SIGINT, so the current message finishes
    and the loop exits; restore the previous handlers afterwards."""

    def __init__(self, stopping: threading.Event):
        self.stopping = stopping
        self.previous = {}

    def __enter__(self):
        if threading.current_thread() is not threading.main_thread():
            return self
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.previous[signum] = signal.signal(signum, self._stop)
        return self

    def __exit__(self, *exc_info):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _stop(self, signum, frame):
        logger.info("Received signal %s; stopping after the current message", signum)
        self.stopping.set()


def _close_stale_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _close_all_connections() -> None:
    connections.close_all()
