"""Extract Oreo blocks from Java files and folders into a metric file."""

import time
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oreo.extract import extract_source
from oreo.java_files import JavaFile, find_java_files
from oreo.metricfile import MetricFileError, write_metric_file

# Seconds between two progress lines.
PROGRESS_INTERVAL = 2.0


class Command(BaseCommand):
    help = (
        "Extract one block per Java method and constructor, with Oreo's "
        "clone-detection features, from Java files and folders (searched "
        "recursively, symbolic links not followed) and write them to a metric "
        "file."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="+",
            metavar="PATH",
            help="Java file or folder to extract.",
        )
        parser.add_argument(
            "--output",
            required=True,
            metavar="FILE",
            help="Metric file to write, one line per block; replaced if it exists.",
        )

    def handle(self, *args, **options):
        paths = [Path(path) for path in options["paths"]]
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(
                f"Folder {output.parent} of --output {output} not found. Create "
                "it or choose another output file."
            )

        files, problems = find_java_files(paths)
        for problem in problems:
            self.stderr.write(problem)
        if not files:
            raise CommandError(
                f"No .java file found in {', '.join(map(_printable, paths))}, "
                "so no input could be read. Give existing Java files or folders."
            )
        try:
            with output.open("w", encoding="utf-8", newline="\n") as stream:
                summary = self._extract_all(files, stream)
        except OSError as error:
            raise CommandError(f"Writing {output} failed: {error}") from error

        self.stdout.write(
            f"Wrote {summary.blocks} blocks from {summary.files} files to "
            f"{output}: {summary.syntax_errors} syntax errors in "
            f"{summary.files_with_syntax_errors} files, {summary.unreadable} "
            f"unreadable files, {summary.not_utf8} files not in UTF-8."
        )
        if not summary.files:
            raise CommandError(
                f"No input could be read: all {len(files)} Java files were "
                "unreadable; see the errors above."
            )

    def _extract_all(self, files: list[JavaFile], stream) -> "_Summary":
        summary = _Summary()
        last_progress = time.monotonic()
        for number, java_file in enumerate(files, start=1):
            self._extract_one(java_file, stream, summary)
            now = time.monotonic()
            if now - last_progress >= PROGRESS_INTERVAL or number == len(files):
                self.stderr.write(
                    f"Extracted {number} of {len(files)} files, {summary.blocks} blocks"
                )
                last_progress = now
        return summary

    def _extract_one(self, java_file: JavaFile, stream, summary: "_Summary") -> None:
        path = java_file.path
        printable = _printable(path)
        if printable != str(path):
            summary.unreadable += 1
            self.stderr.write(f"{printable}: skipped, file name is not UTF-8")
            return
        try:
            source = path.read_bytes()
        except OSError as error:
            summary.unreadable += 1
            self.stderr.write(f"{path}: reading failed: {error.strerror or error}")
            return

        extraction = extract_source(
            source, path=java_file.relative_path, folder=java_file.folder
        )
        summary.files += 1
        for block in extraction.blocks:
            try:
                summary.blocks += write_metric_file([block], stream)
            except MetricFileError as error:
                self.stderr.write(f"{path}: block skipped: {error}")
        if extraction.error:
            summary.not_utf8 += 1
            self.stderr.write(f"{path}: {extraction.error}")
        if extraction.syntax_errors:
            summary.syntax_errors += extraction.syntax_errors
            summary.files_with_syntax_errors += 1
            self.stderr.write(
                f"{path}: {extraction.syntax_errors} syntax errors, "
                f"{extraction.skipped_methods} methods skipped"
            )


@dataclass
class _Summary:
    files: int = 0
    blocks: int = 0
    syntax_errors: int = 0
    files_with_syntax_errors: int = 0
    unreadable: int = 0
    not_utf8: int = 0


def _printable(path: Path) -> str:
    """Return the path with bytes that are not UTF-8 written as escapes."""
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")
