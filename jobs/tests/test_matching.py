"""Triplet matching on real extracted blocks, without the database."""

from jobs.matching import CodeSource, find_triplets
from oreo.extract import extract_source

GUAVA = ["com.google.common"]

CLONE_FILE = """package org.lib;

import com.google.common.base.Objects;

public class Account {
    private String owner;
    private long balance;
    private int visits;

    @Override
    public String toString() {
        return Objects.toStringHelper(this)
            .add("owner", owner)
            .add("balance", balance)
            .add("visits", visits)
            .toString();
    }

    public long score(long bonus) {
        long total = balance + bonus;
        for (int i = 0; i < visits; i++) {
            total += i * 2;
        }
        return total;
    }
}
"""

ORIGINAL_FILE = (
    CLONE_FILE.replace("org.lib", "org.app")
    .replace("Account", "Customer")
    .replace("owner", "name")
    .replace("balance", "credit")
)


class Files:
    """Java files in memory, read the way stored source archives are."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def lines(self, path: str, start: int, end: int) -> str:
        return "\n".join(self.files[path].splitlines()[start - 1 : end])

    def text(self, path: str) -> str:
        return self.files[path]

    def code_source(self) -> CodeSource:
        return CodeSource(read_lines=self.lines, read_text=self.text)

    def blocks(self):
        blocks = []
        for path, text in self.files.items():
            blocks.extend(extract_source(text.encode(), path=path).blocks)
        return blocks


def triplets_for(original: dict, clone: dict, upgraded: dict):
    originals, clones, upgrades = Files(original), Files(clone), Files(upgraded)
    return find_triplets(
        job_blocks=originals.blocks(),
        clone_blocks=clones.blocks(),
        upgraded_blocks=upgrades.blocks(),
        job_code=originals.code_source(),
        clone_code=clones.code_source(),
        upgraded_code=upgrades.code_source(),
        packages=GUAVA,
    )


def upgrade(text: str) -> str:
    return (
        text.replace("base.Objects;", "base.MoreObjects;")
        .replace("Objects.toStringHelper", "MoreObjects.toStringHelper")
        .replace("total += i * 2;", "total += i * 3;")
    )


def test_changed_guava_method_is_a_triplet():
    triplets = triplets_for(
        {"App.java": ORIGINAL_FILE},
        {"Lib.java": CLONE_FILE},
        {"Lib.java": upgrade(CLONE_FILE)},
    )

    assert [t.clone.block.name for t in triplets] == ["toString"]
    assert "MoreObjects" in triplets[0].upgraded.code
    assert "Objects.toStringHelper" in triplets[0].original.code


def test_change_without_library_use_is_dropped():
    triplets = triplets_for(
        {"App.java": ORIGINAL_FILE},
        {"Lib.java": CLONE_FILE},
        {"Lib.java": upgrade(CLONE_FILE)},
    )

    assert "score" not in [t.clone.block.name for t in triplets]


def test_unchanged_method_is_dropped():
    reformatted = CLONE_FILE.replace("        return Objects", "      return  Objects")

    triplets = triplets_for(
        {"App.java": ORIGINAL_FILE},
        {"Lib.java": CLONE_FILE},
        {"Lib.java": reformatted},
    )

    assert triplets == []


def test_moved_method_is_found_by_clone_detection():
    triplets = triplets_for(
        {"App.java": ORIGINAL_FILE},
        {"Lib.java": CLONE_FILE},
        {"moved/Lib.java": upgrade(CLONE_FILE)},
    )

    assert [t.upgraded.block.file for t in triplets] == ["moved/Lib.java"]


def test_same_path_preferred_over_other_copies():
    triplets = triplets_for(
        {"App.java": ORIGINAL_FILE},
        {"Lib.java": CLONE_FILE},
        {"Copy.java": CLONE_FILE, "Lib.java": upgrade(CLONE_FILE)},
    )

    assert [t.upgraded.block.file for t in triplets] == ["Lib.java"]


def test_unrelated_original_finds_nothing():
    unrelated = """class Other {
    int parse(String text) {
        int value = 0;
        for (char c : text.toCharArray()) {
            value = value * 31 + Character.digit(c, 10);
        }
        return value;
    }
}
"""
    triplets = triplets_for(
        {"Other.java": unrelated},
        {"Lib.java": CLONE_FILE},
        {"Lib.java": upgrade(CLONE_FILE)},
    )

    assert triplets == []
