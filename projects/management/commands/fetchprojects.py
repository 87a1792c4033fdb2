"""Write a projects file of a library's dependents from libraries.io."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.librariesio import LibrariesIOClient, LibrariesIOError, fetch_projects


class Command(BaseCommand):
    help = (
        "Fetch the repositories that depend on a library from the libraries.io "
        "API and write them as a projects file for preparedata. The API key is "
        "read from LIBRARIESIO_KEY. An interrupted fetch resumes from the state "
        "file next to the output."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--library",
            required=True,
            metavar="GROUP:ARTIFACT",
            help="Maven library whose dependents are fetched.",
        )
        parser.add_argument(
            "--output", required=True, metavar="FILE", help="Projects file to write."
        )
        parser.add_argument(
            "--max-retries",
            type=int,
            default=5,
            help="Retries of one request after HTTP 429, 5xx or a network error "
            "(default 5).",
        )
        parser.add_argument(
            "--backoff",
            type=float,
            default=2.0,
            metavar="SECONDS",
            help="Wait before the first retry, doubled at each retry (default 2).",
        )

    def handle(self, *args, **options):
        library = options["library"]
        if library.count(":") != 1 or not all(library.split(":")):
            raise CommandError(
                f"Invalid --library {library!r}: give it as GROUP:ARTIFACT, such "
                "as com.google.guava:guava."
            )
        api_key = settings.LIBRARIESIO_KEY
        if not api_key:
            raise CommandError(
                "LIBRARIESIO_KEY is missing. Set it to the API key shown at "
                "https://libraries.io/account."
            )
        if options["max_retries"] < 0 or options["backoff"] < 0:
            raise CommandError("--max-retries and --backoff must not be negative.")
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(
                f"Folder {output.parent} of --output not found. Create it first."
            )

        client = LibrariesIOClient(
            base_url=settings.LIBRARIESIO_URL,
            api_key=api_key,
            max_retries=options["max_retries"],
            backoff_seconds=options["backoff"],
        )
        try:
            state = fetch_projects(
                client=client,
                library=library,
                output=output,
                report=self.stdout.write,
            )
        except LibrariesIOError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Wrote {len(state.repositories)} repositories to {output} "
            f"({state.packages_without_repository} packages without a "
            "repository URL left out)."
        )
