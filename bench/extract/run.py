"""Time block extraction against bare tree-sitter parsing on JDK sources.

Reads the Java files of the JDK's src.zip into memory, then, in each run,
parses every file with tree-sitter alone and extracts every file with
`extract_source` (which includes its own parse). The figures are the
medians over the runs of the process CPU times and wall times, methods per
second, and the ratio of extraction time to bare parsing time. The ratio
uses CPU time, which other processes on the machine disturb less than wall
time. Peak resident memory (RSS) is the
process's maximum, read once after loading the sources and once at the end.

    python -m bench.extract.run --runs 3
    python -m bench.extract.run --limit 2000 --runs 5
"""

import argparse
import gc
import resource
import statistics
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tree_sitter import Parser

from oreo.extract import JAVA_LANGUAGE, extract_source

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")


def load_sources(archive_path: Path, limit: int | None) -> list[tuple[str, bytes]]:
    """Read the `.java` members of the archive in name order."""
    with zipfile.ZipFile(archive_path) as archive:
        names = sorted(n for n in archive.namelist() if n.endswith(".java"))
        if limit is not None:
            names = names[:limit]
        return [(name, archive.read(name)) for name in names]


@dataclass
class Timing:
    cpu: float
    wall: float


def time_parsing(sources: list[tuple[str, bytes]]) -> Timing:
    parser = Parser(JAVA_LANGUAGE)
    cpu = time.process_time()
    wall = time.perf_counter()
    for _, source in sources:
        parser.parse(source)
    return Timing(time.process_time() - cpu, time.perf_counter() - wall)


def time_extraction(sources: list[tuple[str, bytes]]) -> tuple[Timing, int, int]:
    """Return the times, the number of blocks and of syntax errors."""
    blocks = 0
    syntax_errors = 0
    cpu = time.process_time()
    wall = time.perf_counter()
    for name, source in sources:
        result = extract_source(source, path=name, folder="jdk")
        blocks += len(result.blocks)
        syntax_errors += result.syntax_errors
    timing = Timing(time.process_time() - cpu, time.perf_counter() - wall)
    return timing, blocks, syntax_errors


def peak_rss_mib() -> float:
    # On Linux, ru_maxrss is in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sources",
        type=Path,
        default=JDK_SOURCES,
        help=f"JDK src.zip to read (default: {JDK_SOURCES}).",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="Use only the first N Java files, in name order (default: all).",
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="Number of runs (default: 3)."
    )
    options = parser.parse_args(argv)
    if not options.sources.is_file():
        parser.error(f"JDK sources {options.sources} not found; give --sources.")
    if options.runs < 1:
        parser.error(f"--runs must be at least 1, not {options.runs}.")

    sources = load_sources(options.sources, options.limit)
    megabytes = sum(len(source) for _, source in sources) / 1e6
    rss_loaded = peak_rss_mib()
    print(f"{len(sources)} files, {megabytes:.1f} MB, from {options.sources}")

    parse_times: list[Timing] = []
    extract_times: list[Timing] = []
    blocks = syntax_errors = 0
    for run in range(1, options.runs + 1):
        gc.collect()
        parse_times.append(time_parsing(sources))
        gc.collect()
        timing, blocks, syntax_errors = time_extraction(sources)
        extract_times.append(timing)
        print(
            f"run {run}: CPU parse {parse_times[-1].cpu:.2f} s, extract "
            f"{timing.cpu:.2f} s, ratio {timing.cpu / parse_times[-1].cpu:.2f}; "
            f"wall parse {parse_times[-1].wall:.2f} s, extract {timing.wall:.2f} s",
            flush=True,
        )

    parse_cpu = statistics.median(t.cpu for t in parse_times)
    extract_cpu = statistics.median(t.cpu for t in extract_times)
    parse_wall = statistics.median(t.wall for t in parse_times)
    extract_wall = statistics.median(t.wall for t in extract_times)
    print(f"blocks: {blocks}, syntax errors: {syntax_errors}")
    print(f"bare parse (median): CPU {parse_cpu:.2f} s, wall {parse_wall:.2f} s")
    print(f"extraction (median): CPU {extract_cpu:.2f} s, wall {extract_wall:.2f} s")
    print(f"methods per CPU second: {blocks / extract_cpu:,.0f}")
    print(f"methods per wall second: {blocks / extract_wall:,.0f}")
    # Parsing and extraction of one run see similar load from other
    # processes, so the median of the per-run ratios is the steadier figure.
    cpu_ratio = statistics.median(
        e.cpu / p.cpu for e, p in zip(extract_times, parse_times, strict=True)
    )
    wall_ratio = statistics.median(
        e.wall / p.wall for e, p in zip(extract_times, parse_times, strict=True)
    )
    print(f"ratio extraction / parse, median of runs: CPU {cpu_ratio:.2f}, ", end="")
    print(f"wall {wall_ratio:.2f}")
    print(
        f"peak RSS: {rss_loaded:.0f} MiB after loading, {peak_rss_mib():.0f} MiB at end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
