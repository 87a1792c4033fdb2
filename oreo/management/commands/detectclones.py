"""Detect clones in metric files and write them in Oreo's output format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oreo.blocks import Block
from oreo.detect import find_clone_pairs
from oreo.metricfile import read_metric_file


class Command(BaseCommand):
    help = (
        "Detect clones among the blocks of metric files: within the file when "
        "there is one, within and across the files when there are several. "
        "Writes one pair a line as folder1,file1,start1,end1,folder2,file2,"
        "start2,end2."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="metric files")
        parser.add_argument(
            "--output", type=Path, help="file to write the pairs to (default: stdout)"
        )

    def handle(self, *args, **options):
        blocks = self._read_blocks(options["files"])
        pairs = [
            pair
            for pair in find_clone_pairs(blocks, blocks)
            if pair.query < pair.candidate
        ]
        lines = [_format_pair(blocks[p.query], blocks[p.candidate]) for p in pairs]
        output: Path | None = options["output"]
        if output is None:
            for line in lines:
                self.stdout.write(line)
        else:
            try:
                output.write_text("".join(f"{line}\n" for line in lines))
            except OSError as error:
                raise CommandError(f"Cannot write {output}: {error}") from error
        self.stderr.write(f"Found {len(pairs)} clone pairs among {len(blocks)} blocks.")

    def _read_blocks(self, paths: list[Path]) -> list[Block]:
        blocks: list[Block] = []
        readable = 0
        for path in paths:
            try:
                # Opened as bytes, so read_metric_file decodes each line on its
                # own and a line that is not UTF-8 loses only that line.
                with path.open("rb") as stream:
                    file_blocks, problems = read_metric_file(stream)
            except OSError as error:
                self.stderr.write(
                    f"{path}: reading failed: {error.strerror or error}; the file "
                    "was skipped."
                )
                continue
            readable += 1
            for problem in problems:
                self.stderr.write(
                    f"{path}:{problem.line_number}: skipped invalid line: "
                    f"{problem.message}"
                )
            blocks.extend(file_blocks)
        if not readable:
            raise CommandError(
                f"No metric file could be read ({len(paths)} given); check the "
                "paths in the errors above."
            )
        return blocks


def _format_pair(left: Block, right: Block) -> str:
    # NOTE: Oreo's output format has no quoting, so a comma in a folder or
    # file name makes the line ambiguous. Metric files escape it, but this
    # format cannot.
    return ",".join(
        str(value)
        for value in (
            left.folder,
            left.file,
            left.start_line,
            left.end_line,
            right.folder,
            right.file,
            right.start_line,
            right.end_line,
        )
    )
