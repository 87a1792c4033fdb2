"""The block: one Java method or constructor and its clone-detection features."""

from dataclasses import dataclass, field

# Oreo's 24 software metrics, in the order they appear in metric files.
METRIC_NAMES = (
    "COMP",
    "NOS",
    "HVOC",
    "HEFF",
    "CREF",
    "XMET",
    "LMET",
    "NOA",
    "HDIF",
    "VDEC",
    "EXCT",
    "EXCR",
    "CAST",
    "NAND",
    "VREF",
    "NOPR",
    "MDN",
    "NEXP",
    "LOOP",
    "NBLTRL",
    "NCLTRL",
    "NNLTRL",
    "NNULLTRL",
    "NSLTRL",
)


@dataclass(slots=True)
class Block:
    """A method or constructor with its location and Oreo features.

    `folder` is the project- or version-level folder the file belongs to and
    `file` the file's path relative to the repository root. Lines are
    1-based and inclusive.
    """

    folder: str
    file: str
    start_line: int
    end_line: int
    name: str
    tokens: int
    unique_tokens: int
    metrics_hash: str
    metrics: tuple[float, ...]
    action_tokens: dict[str, int] = field(default_factory=dict)
    stop_tokens: dict[str, int] = field(default_factory=dict)
    sloc: int = 0
