from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from jobs import services


class Command(BaseCommand):
    help = (
        "Queue again the jobs still INITIALIZING and the components still "
        "QUEUEING whose messages may have been lost, for example after the "
        "queue was unavailable or recreated. Work queued twice is done once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=30,
            metavar="MINUTES",
            help="Only work unchanged for at least this many minutes (default "
            "30, the SQS visibility timeout; 0 queues everything pending).",
        )

    def handle(self, *args, older_than, **options):
        if older_than < 0:
            raise CommandError(f"--older-than {older_than} must not be negative.")
        try:
            jobs, components = services.requeue_stuck_work(
                older_than=timedelta(minutes=older_than)
            )
        except Exception as error:
            raise CommandError(
                f"Queueing failed: {error}. Check the queue settings and that "
                "the queue exists (manage.py setupaws)."
            ) from error
        self.stdout.write(f"Queued {jobs} jobs and {components} components again.")
