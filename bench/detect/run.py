"""Time clone detection between two sets of 20,000 JDK blocks.

There are two scenarios. `versions` compares blocks of JDK 17 with the
blocks of the same files in JDK 25. This is like comparing two versions of
one project, where most methods have a clone. `disjoint` compares blocks
from two different sets of JDK 17 files. The blocks are extracted once and stored as metric
files under var/bench/detect/. Each run is a fresh process, and the figures
are its wall time for `find_clone_pairs` and its peak resident memory.

    python -m bench.detect.run --runs 5
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench.clones.javasource import MODULES
from oreo.blocks import Block
from oreo.detect import MIN_TOKENS, find_clone_pairs
from oreo.extract import extract_source
from oreo.metricfile import read_metric_file, write_metric_file

JDK17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")
JDK25 = Path("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip")
SET_SIZE = 20_000
DATA = Path("var/bench/detect")


def _java_files(archive: zipfile.ZipFile) -> list[str]:
    return sorted(
        name
        for name in archive.namelist()
        if name.split("/", 1)[0] in MODULES and name.endswith(".java")
    )


def _blocks_of(archive: zipfile.ZipFile, names: Sequence[str]) -> Iterator[Block]:
    for name in names:
        extraction = extract_source(archive.read(name), path=name, folder="jdk")
        for block in extraction.blocks:
            if block.tokens >= MIN_TOKENS:
                yield block


def _take(blocks: Iterator[Block], count: int) -> list[Block]:
    taken = []
    for block in blocks:
        taken.append(block)
        if len(taken) == count:
            break
    return taken


def prepare() -> dict[str, tuple[Path, Path]]:
    """Extract the block sets once and return the metric files per scenario."""
    DATA.mkdir(parents=True, exist_ok=True)
    paths = {name: DATA / f"{name}.txt" for name in ("jdk17-a", "jdk17-b", "jdk25-a")}
    if not all(path.exists() for path in paths.values()):
        with zipfile.ZipFile(JDK17) as old, zipfile.ZipFile(JDK25) as new:
            names = _java_files(old)
            blocks = _take(_blocks_of(old, names), 2 * SET_SIZE)
            if len(blocks) < 2 * SET_SIZE:
                raise SystemExit(f"only {len(blocks)} blocks in {JDK17}")
            first, second = blocks[:SET_SIZE], blocks[SET_SIZE:]
            files_of_first = sorted({block.file for block in first})
            newer = _java_files(new)
            # The same files first, then others, in case JDK 25 has fewer
            # blocks in them.
            same = set(files_of_first) & set(newer)
            others = [name for name in newer if name not in same]
            upgraded = _take(_blocks_of(new, sorted(same) + others), SET_SIZE)
            for name, chosen in (
                ("jdk17-a", first),
                ("jdk17-b", second),
                ("jdk25-a", upgraded),
            ):
                with paths[name].open("w") as stream:
                    write_metric_file(chosen, stream)
    return {
        "versions": (paths["jdk17-a"], paths["jdk25-a"]),
        "disjoint": (paths["jdk17-a"], paths["jdk17-b"]),
    }


def measure(left_path: Path, right_path: Path) -> dict:
    """Detect clones between two metric files once, in this process."""
    with left_path.open() as stream:
        left, _ = read_metric_file(stream)
    with right_path.open() as stream:
        right, _ = read_metric_file(stream)
    started = time.perf_counter()
    pairs = find_clone_pairs(left, right)
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "queries": len(left),
        "candidates": len(right),
        "pairs": len(pairs),
        "seconds": seconds,
        "peak_mib": peak_kib / 1024,
    }


def _run_once(left_path: Path, right_path: Path) -> dict:
    command = [sys.executable, "-m", "bench.detect.run", "--measure"]
    output = subprocess.run(
        [*command, str(left_path), str(right_path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def main(argv: Sequence[str] | None = None) -> None:
    """Run each scenario several times and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario")
    parser.add_argument("--measure", nargs=2, type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.measure:
        print(json.dumps(measure(*options.measure)))
        return
    for scenario, (left, right) in prepare().items():
        runs = [_run_once(left, right) for _ in range(options.runs)]
        times = ", ".join(f"{run['seconds']:.1f}" for run in runs)
        seconds = statistics.median(run["seconds"] for run in runs)
        peak = statistics.median(run["peak_mib"] for run in runs)
        print(
            f"{scenario}: {runs[0]['queries']} x {runs[0]['candidates']} blocks, "
            f"{runs[0]['pairs']} clone pairs; median of {options.runs} runs: "
            f"{seconds:.1f} s, peak {peak:.0f} MiB "
            f"(times {times})"
        )


if __name__ == "__main__":
    main()
