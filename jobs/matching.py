"""Find migration examples (triplets) between a job and one corpus project.

A triplet is a method of the client (the original), a clone of it in the
project's last version on the source library version, and that same method
in the project's first version on the target version. A triplet is kept only
where the code really changed and uses the library.
"""

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from jobs.library_usage import FileImports, read_imports, uses_library
from oreo.blocks import Block
from oreo.detect import find_clone_pairs

# Maximum clones kept for one original method within one project, the most
# similar first, so a common idiom does not flood the results.
MAX_CLONES_PER_ORIGINAL = 5


@dataclass
class Method:
    """A block with its code."""

    block: Block
    code: str


@dataclass
class Triplet:
    """One migration example."""

    original: Method
    clone: Method
    upgraded: Method
    similarity: float


class CodeSource:
    """Method code and imports read from one stored version, with caching."""

    def __init__(
        self,
        *,
        read_lines: Callable[[str, int, int], str],
        read_text: Callable[[str], str],
    ):
        self._read_lines = read_lines
        self._read_text = read_text
        self._imports: dict[tuple[str, tuple[str, ...]], FileImports] = {}

    def method(self, block: Block) -> Method:
        code = self._read_lines(block.file, block.start_line, block.end_line)
        return Method(block=block, code=code)

    def imports(self, path: str, packages: list[str]) -> FileImports:
        key = (path, tuple(packages))
        if key not in self._imports:
            self._imports[key] = read_imports(self._read_text(path), packages)
        return self._imports[key]


def find_triplets(
    *,
    job_blocks: Sequence[Block],
    clone_blocks: Sequence[Block],
    upgraded_blocks: Sequence[Block],
    job_code: CodeSource,
    clone_code: CodeSource,
    upgraded_code: CodeSource,
    packages: list[str],
) -> list[Triplet]:
    """Return the triplets of one project, in the order of the job's blocks."""
    originals_by_clone = _originals_by_clone(job_blocks, clone_blocks)
    if not originals_by_clone:
        return []

    matched_clones = sorted(originals_by_clone)
    upgraded_by_clone = _match_upgraded(
        [clone_blocks[index] for index in matched_clones],
        upgraded_blocks,
        clone_code=clone_code,
        upgraded_code=upgraded_code,
    )

    triplets = []
    for position, clone_index in enumerate(matched_clones):
        upgraded_index = upgraded_by_clone.get(position)
        if upgraded_index is None:
            continue
        clone = clone_code.method(clone_blocks[clone_index])
        upgraded = upgraded_code.method(upgraded_blocks[upgraded_index])
        if _same_ignoring_whitespace(clone.code, upgraded.code):
            continue
        if not (
            _method_uses_library(clone, clone_code, packages)
            or _method_uses_library(upgraded, upgraded_code, packages)
        ):
            continue
        for original_index, similarity in originals_by_clone[clone_index]:
            original = job_code.method(job_blocks[original_index])
            triplets.append(Triplet(original, clone, upgraded, similarity))

    return _limit_per_original(triplets)


def _originals_by_clone(
    job_blocks: Sequence[Block], clone_blocks: Sequence[Block]
) -> dict[int, list[tuple[int, float]]]:
    originals = defaultdict(list)
    for pair in find_clone_pairs(job_blocks, clone_blocks):
        originals[pair.candidate].append((pair.query, pair.similarity))
    return originals


def _match_upgraded(
    clones: Sequence[Block],
    upgraded_blocks: Sequence[Block],
    *,
    clone_code: CodeSource,
    upgraded_code: CodeSource,
) -> dict[int, int]:
    """Map each clone (by position) to the same method in the upgraded version.

    The same method is first looked for by file path and name, since most
    upgrades keep both. Among overloads, the one whose code is most alike
    wins. A method that moved to another file is found by clone detection,
    preferring a candidate with the same name.
    """
    by_location = defaultdict(list)
    for index, block in enumerate(upgraded_blocks):
        by_location[(block.file, block.name)].append(index)

    matches = {}
    unmatched = []
    for position, clone in enumerate(clones):
        candidates = by_location.get((clone.file, clone.name), [])
        if len(candidates) == 1:
            matches[position] = candidates[0]
        elif candidates:
            clone_text = clone_code.method(clone).code
            matches[position] = max(
                candidates,
                key=lambda index: _text_similarity(
                    clone_text, upgraded_code.method(upgraded_blocks[index]).code
                ),
            )
        else:
            unmatched.append(position)

    if unmatched:
        best: dict[int, tuple[tuple, int]] = {}
        moved = [clones[position] for position in unmatched]
        for pair in find_clone_pairs(moved, upgraded_blocks):
            candidate = upgraded_blocks[pair.candidate]
            rank = (candidate.name == moved[pair.query].name, pair.similarity)
            if pair.query not in best or rank > best[pair.query][0]:
                best[pair.query] = (rank, pair.candidate)
        for query, (_, candidate_index) in best.items():
            matches[unmatched[query]] = candidate_index
    return matches


def _method_uses_library(method: Method, source: CodeSource, packages) -> bool:
    return uses_library(
        method.code, source.imports(method.block.file, packages), packages
    )


def _same_ignoring_whitespace(first: str, second: str) -> bool:
    return re.sub(r"\s+", "", first) == re.sub(r"\s+", "", second)


def _text_similarity(first: str, second: str) -> float:
    """Compare two methods line by line, ignoring indentation.

    Lines keep the comparison fast on long methods, where comparing
    characters costs seconds per pair.
    """
    first_lines = [line.strip() for line in first.splitlines()]
    second_lines = [line.strip() for line in second.splitlines()]
    return difflib.SequenceMatcher(None, first_lines, second_lines).ratio()


def _limit_per_original(triplets: list[Triplet]) -> list[Triplet]:
    by_original = defaultdict(list)
    for triplet in triplets:
        block = triplet.original.block
        by_original[(block.file, block.start_line)].append(triplet)

    kept = []
    for group in by_original.values():
        group.sort(key=lambda triplet: -triplet.similarity)
        kept.extend(group[:MAX_CLONES_PER_ORIGINAL])
    return kept
