import logging
import signal
import threading

import pytest
from django.db import OperationalError

from jobs.models import Job, QueueMessage, Status
from jobs.queue import DatabaseQueue
from jobs.worker import QueueUnavailable, Worker

pytestmark = pytest.mark.django_db(transaction=True)


def make_job(**fields) -> Job:
    values = {
        "source": "https://example.com/app.git",
        "commit": "abc",
        "library": "com.google.guava:guava",
        "source_version": "18.0",
        "target_version": "21.0",
        **fields,
    }
    return Job.objects.create(**values)


def test_database_queue_hides_received_message():
    queue = DatabaseQueue(visibility_timeout=60)
    queue.send([{"type": "initialize", "job_id": 1}])

    first = queue.receive(wait_seconds=0)
    second = queue.receive(wait_seconds=0)

    assert [message.body for message in first] == [{"type": "initialize", "job_id": 1}]
    assert second == []


def test_database_queue_redelivers_after_timeout():
    queue = DatabaseQueue(visibility_timeout=0)
    queue.send([{"type": "initialize", "job_id": 1}])

    queue.receive(wait_seconds=0)
    [again] = queue.receive(wait_seconds=0)

    assert again.receive_count == 2


def test_database_queue_delete_needs_current_receipt():
    queue = DatabaseQueue(visibility_timeout=0)
    queue.send([{"type": "initialize", "job_id": 1}])
    [stale] = queue.receive(wait_seconds=0)
    [current] = queue.receive(wait_seconds=0)

    queue.delete(stale)
    assert QueueMessage.objects.count() == 1
    queue.delete(current)
    assert QueueMessage.objects.count() == 0


def test_database_queue_release_makes_message_visible():
    queue = DatabaseQueue(visibility_timeout=600)
    queue.send([{"type": "initialize", "job_id": 1}])
    [message] = queue.receive(wait_seconds=0)

    queue.release(message)

    assert len(queue.receive(wait_seconds=0)) == 1


def test_worker_marks_job_error_for_bad_repository(settings, tmp_path):
    settings.REPOSITORIES_DIR = tmp_path / "clones"
    job = make_job(source=str(tmp_path / "missing"))
    DatabaseQueue().send([{"type": "initialize", "job_id": job.pk}])

    handled = Worker(queue=DatabaseQueue(), wait_seconds=0).run(once=True)

    job.refresh_from_db()
    assert handled == 1
    assert job.status == Status.ERROR
    assert "missing" in job.error
    assert QueueMessage.objects.count() == 0


def test_worker_gives_up_after_max_receives(settings):
    settings.QUEUE_MAX_RECEIVES = 2
    job = make_job()
    queue = DatabaseQueue(visibility_timeout=0)
    queue.send([{"type": "initialize", "job_id": job.pk}])
    queue.receive(wait_seconds=0)
    queue.receive(wait_seconds=0)

    Worker(queue=queue, wait_seconds=0).poll_once()

    job.refresh_from_db()
    assert job.status == Status.ERROR
    assert "Gave up after 2 deliveries" in job.error
    assert QueueMessage.objects.count() == 0


def test_worker_deletes_unknown_message_type(caplog):
    DatabaseQueue().send([{"type": "compile", "job_id": 1}])

    with caplog.at_level(logging.ERROR, logger="jobs.worker"):
        Worker(queue=DatabaseQueue(), wait_seconds=0).poll_once()

    assert QueueMessage.objects.count() == 0
    assert "unknown type 'compile'" in caplog.text


def test_worker_skips_deleted_job():
    DatabaseQueue().send([{"type": "initialize", "job_id": 987654}])

    handled = Worker(queue=DatabaseQueue(), wait_seconds=0).run(once=True)

    assert handled == 1
    assert QueueMessage.objects.count() == 0


def test_worker_stops_on_sigterm():
    worker = Worker(queue=DatabaseQueue(), wait_seconds=0)
    timer = threading.Timer(0.3, signal.raise_signal, args=[signal.SIGTERM])

    timer.start()
    worker.run()

    assert worker.stopping.is_set()


class BrokenQueue(DatabaseQueue):
    """A queue whose every receive fails, as a locked database would."""

    def receive(self, **kwargs):
        raise OperationalError("database is locked")


def test_worker_survives_failed_receive(monkeypatch):
    monkeypatch.setattr("jobs.worker.RECEIVE_RETRY_SECONDS", 0)
    worker = Worker(queue=BrokenQueue(), wait_seconds=0)

    handled = worker.poll_once()

    assert handled == 0
    assert worker.receive_failed


def test_worker_stops_after_repeated_receive_failures(monkeypatch):
    monkeypatch.setattr("jobs.worker.RECEIVE_RETRY_SECONDS", 0)
    monkeypatch.setattr("jobs.worker.MAX_RECEIVE_FAILURES", 3)

    with pytest.raises(QueueUnavailable, match="failed 3 times"):
        Worker(queue=BrokenQueue(), wait_seconds=0).run(once=True)
