from django.core.management.base import BaseCommand, CommandError

from jobs.worker import QueueUnavailable, Worker


class Command(BaseCommand):
    help = (
        "Handle job messages from the queue until stopped with SIGTERM or "
        "Ctrl-C. Run several of these, on one or more machines, to scale out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Exit 0 once the queue is empty instead of waiting for more.",
        )
        parser.add_argument(
            "--wait",
            type=int,
            default=None,
            help="Seconds one receive call waits for a message "
            "(default 20, or 1 with --once).",
        )

    def handle(self, *args, once, wait, **options):
        if wait is None:
            wait = 1 if once else 20
        worker = Worker(wait_seconds=wait)
        try:
            handled = worker.run(once=once)
        except QueueUnavailable as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Handled {handled} messages.")
