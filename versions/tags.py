"""Pick release tags out of a repository's tags and order them by version.

A release tag names a version, with an optional prefix: ``1.2.3``,
``v1.2.3``, ``name-1.2.3``, ``name-parent-1.2.3``, ``release-1.2.3``,
``rel/1.2.3`` or ``name_1_2_3``. Pre-release tags (``2.0-rc1``) are
release tags too, because Maven's order places them before the release.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from versions.maven import (
    InvalidVersion,
    MavenVersion,
    compare_labelled_versions,
    parse_version,
)

# Words that mark a tag as not being a release, matched as whole words
# between separators, so "testng-6.0" and "latest-1.0" are not skipped.
DEFAULT_SKIP_PATTERN = (
    r"(?i)(?:^|[-_./])"
    r"(?:snapshot|nightly|nightlies|test|tests|testing|tmp|temp|wip|dev|devel"
    r"|experiment|experimental|draft|backup|broken|ci|build)"
    r"(?:$|[-_./]|\d)"
)

# A tag is an optional name prefix ending in a separator, an optional "v",
# then a version starting with a digit or with Guava's early "r03" style.
# Each pattern has a single repeated class, so matching stays linear in the
# tag length whatever the tag contains.
TAG_PREFIX_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*[-_/]")
TAG_VERSION_PATTERN = re.compile(r"[vV]?(?P<version>(?:\d|r\d+(?=$|[-._]))[\w.+-]*)")
PREFIX_SEPARATORS = "-_/"
MAX_TAG_LENGTH = 255
UNDERSCORE_NUMBERS = re.compile(r"^\d+(?:_\d+)+")
TAG_REF_PREFIX = "refs/tags/"


def version_from_tag(
    tag: str, *, skip_pattern: str = DEFAULT_SKIP_PATTERN
) -> str | None:
    """Return the version a release tag names, or None for any other tag.

    Raises ``re.error`` when ``skip_pattern`` is not a valid regular
    expression, because then no tag could be judged.
    """
    name = tag.strip().removeprefix(TAG_REF_PREFIX)
    if not name or len(name) > MAX_TAG_LENGTH or re.search(skip_pattern, name):
        return None

    for start in _version_starts(name):
        match = TAG_VERSION_PATTERN.fullmatch(name, start)
        if match is None:
            continue
        version = _dots_for_underscores(match.group("version"))
        try:
            parse_version(version)
        except InvalidVersion:
            continue
        return version
    return None


def order_tags(tags: Iterable[str], **kw) -> list[str]:
    """Keep the release tags and order them by version, lowest first.

    Keyword arguments go to ``version_from_tag``. Tags whose versions Maven
    orders as equal (``v1.0`` and ``1.0.0``) are ordered by tag name.
    """
    keyed: list[tuple[MavenVersion, str]] = []
    for tag in tags:
        version = version_from_tag(tag, **kw)
        if version is not None:
            keyed.append((parse_version(version), tag))
    keyed.sort(key=functools.cmp_to_key(compare_labelled_versions))
    return [tag for _, tag in keyed]


def _version_starts(name: str) -> Iterable[int]:
    """Yield each index where a version may start: 0, or after a name prefix."""
    yield 0
    for index, char in enumerate(name):
        if char in PREFIX_SEPARATORS and TAG_PREFIX_PATTERN.fullmatch(
            name, 0, index + 1
        ):
            yield index + 1


def _dots_for_underscores(version: str) -> str:
    """Rewrite ``1_2_3`` (a common CVS-era tag style) as ``1.2.3``."""
    match = UNDERSCORE_NUMBERS.match(version)
    if match is None:
        return version
    return match.group(0).replace("_", ".") + version[match.end() :]
