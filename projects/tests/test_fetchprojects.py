import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import CommandError, call_command

from projects.librariesio import normalize_repository_url, state_path


def package(name, repository_url, *numbers):
    """Build a package object shaped as libraries.io returns dependents."""
    return {
        "name": name,
        "platform": "Maven",
        "repository_url": repository_url,
        "versions": [
            {"number": number, "published_at": "2016-01-01T00:00:00.000Z"}
            for number in numbers
        ],
    }


class FakeLibrariesIO:
    """Serve /api/maven/<name>/dependents pages; each page has a queue of
    error statuses to send before its packages."""

    def __init__(self):
        self.pages = {}
        self.failures = {}
        self.requests = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                page = int(query["page"][0])
                fake.requests.append((url.path, page, query["api_key"][0]))
                queue = fake.failures.get(page, [])
                if queue:
                    self.send_json(queue.pop(0), {"error": "try later"})
                elif url.path != "/api/maven/com.google.guava%3Aguava/dependents":
                    self.send_json(404, {"error": "Not Found"})
                else:
                    self.send_json(200, fake.pages.get(page, []))

            def send_json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api"

    def pages_requested(self):
        return [page for _, page, _ in self.requests]


@pytest.fixture
def librariesio(settings):
    fake = FakeLibrariesIO()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    settings.LIBRARIESIO_URL = fake.url
    settings.LIBRARIESIO_KEY = "test-key"
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def full_page(start):
    return [
        package(f"org.example:module-{number}", f"https://github.com/example/r{number}")
        for number in range(start, start + 100)
    ]


def fetch(output, **options):
    call_command(
        "fetchprojects",
        library="com.google.guava:guava",
        output=str(output),
        backoff=0,
        stdout=io.StringIO(),
        **options,
    )
    return [json.loads(line) for line in output.read_text().splitlines()]


def test_fetchprojects_writes_one_line_per_repository(librariesio, tmp_path):
    librariesio.pages[1] = [
        package("org.a:core", "https://github.com/a/project", "1.0", "1.1"),
        package("org.b:tool", "https://github.com/b/tool", "2.0"),
    ]

    lines = fetch(tmp_path / "projects.jsonl")

    assert [line["source"] for line in lines] == [
        "https://github.com/a/project",
        "https://github.com/b/tool",
    ]


def test_fetchprojects_merges_packages_of_one_repository(librariesio, tmp_path):
    librariesio.pages[1] = [
        package("org.a:core", "https://github.com/a/project", "1.0", "1.10"),
        package("org.a:extra", "https://GitHub.com/a/project.git/", "1.2", "1.0"),
    ]

    [line] = fetch(tmp_path / "projects.jsonl")

    assert line["packages"] == ["org.a:core", "org.a:extra"]
    assert line["versions"] == ["1.0", "1.2", "1.10"]


def test_fetchprojects_skips_package_without_repository(librariesio, tmp_path):
    librariesio.pages[1] = [
        package("org.a:core", None, "1.0"),
        package("org.b:core", "", "1.0"),
    ]

    lines = fetch(tmp_path / "projects.jsonl")

    assert lines == []


def test_fetchprojects_reads_every_page(librariesio, tmp_path):
    librariesio.pages[1] = full_page(0)
    librariesio.pages[2] = [package("org.z:last", "https://github.com/z/last")]

    lines = fetch(tmp_path / "projects.jsonl")

    assert len(lines) == 101
    assert librariesio.pages_requested() == [1, 2]


def test_fetchprojects_sends_api_key(librariesio, tmp_path):
    fetch(tmp_path / "projects.jsonl")

    assert librariesio.requests[0][2] == "test-key"


def test_fetchprojects_retries_rate_limit(librariesio, tmp_path):
    librariesio.pages[1] = [package("org.a:core", "https://github.com/a/p", "1.0")]
    librariesio.failures[1] = [429, 503]

    lines = fetch(tmp_path / "projects.jsonl")

    assert len(lines) == 1
    assert librariesio.pages_requested() == [1, 1, 1]


def test_fetchprojects_gives_up_after_bound(librariesio, tmp_path):
    librariesio.failures[1] = [502] * 10

    with pytest.raises(CommandError, match="HTTP 502 after retries"):
        fetch(tmp_path / "projects.jsonl", max_retries=2)

    assert librariesio.pages_requested() == [1, 1, 1]


def test_fetchprojects_error_hides_api_key(librariesio, tmp_path):
    librariesio.failures[1] = [401]

    with pytest.raises(CommandError) as raised:
        fetch(tmp_path / "projects.jsonl")

    assert "test-key" not in str(raised.value)


def test_fetchprojects_unknown_library_not_found(librariesio, tmp_path):
    with pytest.raises(CommandError, match="HTTP 404"):
        call_command(
            "fetchprojects",
            library="org.unknown:nothing",
            output=str(tmp_path / "projects.jsonl"),
            stdout=io.StringIO(),
        )


def test_fetchprojects_resumes_after_failure(librariesio, tmp_path):
    output = tmp_path / "projects.jsonl"
    librariesio.pages[1] = full_page(0)
    librariesio.pages[2] = [package("org.z:last", "https://github.com/z/last")]
    librariesio.failures[2] = [500] * 3
    with pytest.raises(CommandError):
        fetch(output, max_retries=2)
    librariesio.requests.clear()

    lines = fetch(output)

    assert librariesio.pages_requested() == [2]
    assert len(lines) == 101


def test_fetchprojects_keeps_state_after_failure(librariesio, tmp_path):
    output = tmp_path / "projects.jsonl"
    librariesio.pages[1] = full_page(0)
    librariesio.failures[2] = [500] * 3

    with pytest.raises(CommandError):
        fetch(output, max_retries=2)

    assert json.loads(state_path(output).read_text())["next_page"] == 2


def test_fetchprojects_removes_state_when_done(librariesio, tmp_path):
    output = tmp_path / "projects.jsonl"

    fetch(output)

    assert not state_path(output).exists()


def test_fetchprojects_requires_api_key(librariesio, settings, tmp_path, monkeypatch):
    settings.LIBRARIESIO_KEY = ""
    monkeypatch.delenv("LIBRARIESIO_KEY", raising=False)

    with pytest.raises(CommandError, match="LIBRARIESIO_KEY is missing"):
        fetch(tmp_path / "projects.jsonl")


def test_fetchprojects_rejects_bad_library(librariesio, tmp_path):
    with pytest.raises(CommandError, match="GROUP:ARTIFACT"):
        call_command("fetchprojects", library="guava", output=str(tmp_path / "p.jsonl"))


def test_fetchprojects_output_readable_by_preparedata(librariesio, tmp_path):
    from projects.services import read_projects_file

    librariesio.pages[1] = [package("org.a:core", "https://github.com/a/p", "1.0")]
    fetch(tmp_path / "projects.jsonl")

    specs, problems = read_projects_file(tmp_path / "projects.jsonl")

    assert problems == []
    assert specs[0].versions == ["1.0"]


def test_normalize_repository_url_rejects_non_url():
    assert normalize_repository_url("not a url") == ""
