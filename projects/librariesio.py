"""Find a library's dependent repositories through the libraries.io API.

The client reads `GET {base}/{platform}/{name}/dependents?page=N&per_page=M`,
which returns the packages that depend on the library as a JSON list. Each
package has `name`, `repository_url` and `versions`, a list of objects with
a `number`. Several packages (the modules of one build) often share a
repository, so they are merged into one repository.
"""

import json
import logging
import os
import re
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from versions.maven import InvalidVersion, parse_version

logger = logging.getLogger(__name__)

MAX_PER_PAGE = 100
RETRY_STATUSES = {429, 500, 502, 503, 504}
# Maximum seconds between two attempts, capping Retry-After and the backoff.
MAX_RETRY_DELAY = 300.0


class LibrariesIOError(Exception):
    """A request to libraries.io failed and cannot be retried, or failed on
    every retry."""


@dataclass
class DependentRepository:
    """A repository whose packages depend on the library."""

    url: str
    packages: set[str] = field(default_factory=set)
    versions: set[str] = field(default_factory=set)

    def to_line(self) -> dict:
        """Build this repository's line of the projects file."""
        return {
            "source": self.url,
            "versions": order_versions(self.versions),
            "packages": sorted(self.packages),
        }


@dataclass
class LibrariesIOClient:
    """A libraries.io API client that retries rate limits and server
    errors with exponential backoff, at most `max_retries` times a
    request."""

    base_url: str
    api_key: str
    per_page: int = MAX_PER_PAGE
    max_retries: int = 5
    backoff_seconds: float = 2.0
    timeout_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def dependents_page(self, *, platform: str, name: str, page: int) -> list[dict]:
        """Return one page of the packages that depend on a package."""
        path = "/".join(
            urllib.parse.quote(part, safe="") for part in (platform, name, "dependents")
        )
        query = urllib.parse.urlencode(
            {"page": page, "per_page": self.per_page, "api_key": self.api_key}
        )
        data = self._get_json(f"{self.base_url.rstrip('/')}/{path}?{query}")
        if not isinstance(data, list):
            raise LibrariesIOError(
                f"Invalid response for {name} page {page}: expected a JSON list "
                f"of packages, got {type(data).__name__}. Check LIBRARIESIO_URL."
            )
        return data

    def dependents(
        self, *, platform: str, name: str, first_page: int = 1
    ) -> Iterator[tuple[int, list[dict]]]:
        """Yield (page number, packages) from `first_page` until a page
        shorter than `per_page`."""
        page = first_page
        while True:
            packages = self.dependents_page(platform=platform, name=name, page=page)
            yield page, packages
            if len(packages) < self.per_page:
                return
            page += 1

    def _get_json(self, url: str) -> object:
        safe_url = _hide_key(url)
        for attempt in range(self.max_retries + 1):
            request = urllib.request.Request(
                url, headers={"Accept": "application/json"}
            )
            try:
                with urllib.request.urlopen(
                    request, timeout=self.timeout_seconds
                ) as response:
                    body = response.read()
            except urllib.error.HTTPError as error:
                if error.code not in RETRY_STATUSES or attempt == self.max_retries:
                    raise LibrariesIOError(
                        _status_message(error.code, safe_url)
                    ) from error
                delay = self._delay(attempt, error.headers.get("Retry-After"))
                problem = f"HTTP {error.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                if attempt == self.max_retries:
                    raise LibrariesIOError(
                        f"Request to {safe_url} failed: {error}. Check the network "
                        "and LIBRARIESIO_URL."
                    ) from error
                delay = self._delay(attempt, None)
                problem = str(error)
            else:
                try:
                    return json.loads(body)
                except json.JSONDecodeError as error:
                    raise LibrariesIOError(
                        f"Invalid JSON from {safe_url}: {error.msg}. Check "
                        "LIBRARIESIO_URL."
                    ) from error
            logger.warning(
                "Retrying %s in %.1f s (attempt %d of %d): %s",
                safe_url,
                delay,
                attempt + 2,
                self.max_retries + 1,
                problem,
            )
            self.sleep(delay)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_RETRY_DELAY)
        return min(self.backoff_seconds * 2**attempt, MAX_RETRY_DELAY)


def merge_packages(
    repositories: dict[str, DependentRepository], packages: list[dict]
) -> int:
    """Add packages to the repositories they come from, keyed by normalized
    URL, and return how many packages had no repository URL."""
    without_repository = 0
    for package in packages:
        if not isinstance(package, dict):
            without_repository += 1
            continue
        url = normalize_repository_url(package.get("repository_url") or "")
        if not url:
            without_repository += 1
            continue
        repository = repositories.setdefault(url, DependentRepository(url=url))
        if package.get("name"):
            repository.packages.add(str(package["name"]))
        for release in package.get("versions") or []:
            number = release.get("number") if isinstance(release, dict) else None
            if number:
                repository.versions.add(str(number))
    return without_repository


def normalize_repository_url(url: str) -> str:
    """Lower-case the host and drop a trailing slash and `.git`, so the
    modules of one repository share one URL. Return "" for a URL that names
    no repository."""
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https", "git", "ssh") or not parts.netloc:
        return ""
    path = re.sub(r"(\.git)?/*$", "", parts.path)
    if not path.strip("/"):
        return ""
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc.lower(), path, "", ""))


def order_versions(versions: set[str]) -> list[str]:
    """Order versions by Maven rules, lowest first. Versions Maven cannot
    parse come last, sorted as text."""
    parsed, unparsed = [], []
    for version in versions:
        try:
            parsed.append((parse_version(version), version))
        except InvalidVersion:
            unparsed.append(version)
    return [version for _, version in sorted(parsed)] + sorted(unparsed)


@dataclass
class FetchState:
    """Progress of a fetch, saved after every page so it can resume."""

    library: str
    next_page: int = 1
    repositories: dict[str, DependentRepository] = field(default_factory=dict)
    packages_without_repository: int = 0

    @classmethod
    def load(cls, path: Path, *, library: str) -> "FetchState":
        """Read the state file, or start afresh when it is missing or is for
        another library."""
        if not path.exists():
            return cls(library=library)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LibrariesIOError(
                f"Invalid state file {path}: {error}. Delete it to start the "
                "fetch from the first page."
            ) from error
        if data.get("library") != library:
            logger.info("Ignored state file %s: it is for another library", path)
            return cls(library=library)
        repositories = {
            url: DependentRepository(
                url=url,
                packages=set(entry.get("packages", [])),
                versions=set(entry.get("versions", [])),
            )
            for url, entry in data.get("repositories", {}).items()
        }
        return cls(
            library=library,
            next_page=int(data.get("next_page", 1)),
            repositories=repositories,
            packages_without_repository=int(data.get("packages_without_repository", 0)),
        )

    def save(self, path: Path) -> None:
        """Write the state file atomically."""
        data = {
            "library": self.library,
            "next_page": self.next_page,
            "packages_without_repository": self.packages_without_repository,
            "repositories": {
                url: {
                    "packages": sorted(repository.packages),
                    "versions": sorted(repository.versions),
                }
                for url, repository in self.repositories.items()
            },
        }
        write_atomically(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def state_path(output: Path) -> Path:
    """Return the state file kept next to an output file."""
    output = Path(output)
    return output.with_name(f"{output.name}.state.json")


def fetch_projects(
    *,
    client: LibrariesIOClient,
    library: str,
    output: Path,
    platform: str = "maven",
    report: Callable[[str], None] = lambda line: None,
) -> FetchState:
    """Write the projects file of a library's dependent repositories,
    resuming from the state file next to `output` when one exists.

    The state file is saved after each page and removed once the projects
    file is written.
    """
    output = Path(output)
    state_file = state_path(output)
    state = FetchState.load(state_file, library=library)
    if state.next_page > 1:
        report(f"Resuming at page {state.next_page} from {state_file}")

    pages = client.dependents(
        platform=platform, name=library, first_page=state.next_page
    )
    for page, packages in pages:
        state.packages_without_repository += merge_packages(
            state.repositories, packages
        )
        state.next_page = page + 1
        state.save(state_file)
        report(
            f"Page {page}: {len(packages)} packages, "
            f"{len(state.repositories)} repositories so far"
        )

    lines = [
        json.dumps(state.repositories[url].to_line())
        for url in sorted(state.repositories)
    ]
    write_atomically(output, "".join(f"{line}\n" for line in lines))
    state_file.unlink(missing_ok=True)
    return state


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text` in one rename, so readers never see half
    a file."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=".tmp-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _hide_key(url: str) -> str:
    return re.sub(r"(api_key=)[^&]*", r"\1***", url)


def _status_message(status: int, url: str) -> str:
    if status in (401, 403):
        return (
            f"libraries.io rejected the API key (HTTP {status}) for {url}. "
            "Check LIBRARIESIO_KEY."
        )
    if status == 404:
        return (
            f"Not found (HTTP 404): {url}. Check the library name, as GROUP:ARTIFACT."
        )
    if status in RETRY_STATUSES:
        return (
            f"Request to {url} still failed with HTTP {status} after retries. "
            "Run the command again later to resume where it stopped."
        )
    return f"Request to {url} failed with HTTP {status}."
