"""Prepare the corpus of dependent projects listed in a projects file."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from projects.services import (
    ProjectOutcome,
    ProjectsFileError,
    enqueue_project,
    prepare_projects,
    read_projects_file,
)


class Command(BaseCommand):
    help = (
        "Check out each release tag of the projects in a projects file, read "
        "the library version it declares, extract its Java methods and store "
        "them. Versions already prepared are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects",
            required=True,
            metavar="FILE",
            help='Projects file in UTF-8, one JSON object a line: {"source": '
            '"<git URL or local path>", "versions": ["1.0"], "library_version": '
            '"<Maven version>", "library_versions": {"<release version>": '
            '"<Maven version>"}}. Only "source" is required. "versions" lists '
            "the release versions to prepare (default: every release tag). "
            '"library_version" is the declared library version to fall back on '
            "when the build files at a tag declare the library but its version "
            "cannot be resolved inside the repository, such as a version set "
            'in a parent POM that is not in the repository. "library_versions" '
            "gives that fallback per release version or tag and wins over "
            '"library_version". Each fallback must be a valid Maven version, '
            "such as 33.4.8-jre. Empty lines and lines starting with # are "
            "ignored.",
        )
        parser.add_argument(
            "--library",
            default=None,
            metavar="GROUP:ARTIFACT",
            help="Library whose declared version is read (default: the "
            "DEFAULT_LIBRARY setting).",
        )
        parser.add_argument(
            "--project",
            default=None,
            metavar="SOURCE",
            help="Prepare only the line of the projects file with this source.",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue one message per version instead of preparing here, so "
            "any running `runjobs` worker prepares it.",
        )
        parser.add_argument(
            "--reextract",
            action="store_true",
            help="Redo versions prepared by an older extractor version.",
        )

    def handle(self, *args, **options):
        library = options["library"] or settings.DEFAULT_LIBRARY
        if library.count(":") != 1 or not all(library.split(":")):
            raise CommandError(
                f"Invalid --library {library!r}: give it as GROUP:ARTIFACT, such "
                "as com.google.guava:guava."
            )

        try:
            specs, problems = read_projects_file(options["projects"])
        except ProjectsFileError as error:
            raise CommandError(str(error)) from error
        for problem in problems:
            self.stderr.write(problem)
        if options["project"]:
            specs = [spec for spec in specs if spec.source == options["project"]]
            if not specs:
                raise CommandError(
                    f"No line of {options['projects']} has source "
                    f"{options['project']!r}. Check --project against the file."
                )
        if not specs:
            raise CommandError(
                f"No project to prepare in {options['projects']}: every line was "
                "empty or invalid."
            )

        if options["enqueue"]:
            outcomes = [
                enqueue_project(
                    spec=spec,
                    library=library,
                    reextract=options["reextract"],
                    report=self.stdout.write,
                )
                for spec in specs
            ]
            queued = sum(outcome.queued for outcome in outcomes)
            self.stdout.write(
                f"Done: queued {queued} versions of {len(outcomes)} projects "
                "for the runjobs workers."
            )
        else:
            outcomes = prepare_projects(
                specs=specs,
                library=library,
                reextract=options["reextract"],
                report=self.stdout.write,
            )
            self.stdout.write(summarize(outcomes, invalid_lines=len(problems)))
        if not any(outcome.read for outcome in outcomes):
            raise CommandError(
                "No repository could be read. Check the sources in the projects "
                "file and the network."
            )


def summarize(outcomes: list[ProjectOutcome], *, invalid_lines: int) -> str:
    """Build the final summary line of a run."""
    unreadable = sum(1 for outcome in outcomes if not outcome.read)
    return (
        f"Done: {len(outcomes)} projects ({unreadable} unreadable, "
        f"{invalid_lines} invalid lines); versions: "
        f"{sum(outcome.prepared for outcome in outcomes)} prepared, "
        f"{sum(outcome.skipped for outcome in outcomes)} skipped, "
        f"{sum(outcome.reused for outcome in outcomes)} already done, "
        f"{sum(outcome.failed for outcome in outcomes)} failed."
    )
