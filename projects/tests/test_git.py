import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from projects.git import (
    GitError,
    checkout,
    clone_or_fetch,
    list_java_files,
    list_tags,
    redact_source,
    safe_name,
)
from projects.tests.gitrepos import Repository, guava_user


@pytest.fixture
def origin(tmp_path):
    return guava_user(tmp_path / "origin", tags={"v1.0": "18.0", "v1.1": "19.0"})


def test_clone_local_repository_into_cache(origin, repositories_dir):
    clone = clone_or_fetch(str(origin.path))

    assert clone.parent == repositories_dir
    assert (clone / ".git").is_dir()


def test_clone_twice_uses_same_folder(origin):
    first = clone_or_fetch(str(origin.path))
    second = clone_or_fetch(str(origin.path))

    assert first == second


def test_clone_into_destination(origin, tmp_path):
    clone = clone_or_fetch(str(origin.path), destination=tmp_path / "here")

    assert clone == tmp_path / "here"
    assert list_tags(clone) == ["v1.0", "v1.1"]


def test_fetch_brings_new_tags(origin):
    clone = clone_or_fetch(str(origin.path))
    origin.write("README.md", "new release")
    origin.commit()
    origin.tag("v1.2")

    clone_or_fetch(str(origin.path))

    assert "v1.2" in list_tags(clone)


def test_fetch_follows_moved_tag(origin):
    clone = clone_or_fetch(str(origin.path))
    origin.write("README.md", "retagged")
    moved = origin.commit()
    origin.git("tag", "--force", "v1.1")

    clone_or_fetch(str(origin.path))

    assert checkout(clone, "v1.1") == moved


def test_clone_missing_local_path_names_it(tmp_path):
    missing = tmp_path / "nowhere"

    with pytest.raises(GitError, match="nowhere.*not found"):
        clone_or_fetch(str(missing))


def test_clone_folder_that_is_not_git(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "Main.java").write_text("class Main {}")

    with pytest.raises(GitError, match="Clone of .*plain failed"):
        clone_or_fetch(str(folder))


def test_clone_failure_leaves_no_folder(tmp_path, repositories_dir):
    folder = tmp_path / "plain"
    folder.mkdir()

    with pytest.raises(GitError):
        clone_or_fetch(str(folder))

    assert not (repositories_dir / safe_name(str(folder))).exists()


def test_clone_rejects_ext_protocol():
    with pytest.raises(GitError, match="Unsupported protocol"):
        clone_or_fetch("ext::sh -c touch% /tmp/pwned")


def test_clone_rejects_option_as_source():
    with pytest.raises(GitError, match="Invalid repository source"):
        clone_or_fetch("--upload-pack=touch /tmp/pwned")


class UnauthorizedHandler(BaseHTTPRequestHandler):
    """Respond to every request with 401, as a private repository does."""

    def do_GET(self):
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="private"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


@pytest.fixture
def private_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), UnauthorizedHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_clone_private_repository_fails_without_prompt(private_server, settings):
    settings.GIT_TIMEOUT = 20
    started = time.monotonic()

    with pytest.raises(GitError) as raised:
        clone_or_fetch(f"{private_server}/team/private.git")

    assert "terminal prompts disabled" in str(raised.value)
    assert time.monotonic() - started < 10


def test_clone_error_hides_credentials(private_server):
    source = f"http://user:secret@127.0.0.1:{private_server.rsplit(':', 1)[1]}/x.git"

    with pytest.raises(GitError) as raised:
        clone_or_fetch(source)

    assert "secret" not in str(raised.value)


@pytest.fixture
def silent_server():
    """Accept connections and never respond, as a stalled host does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_clone_times_out(silent_server, settings):
    settings.GIT_TIMEOUT = 2

    with pytest.raises(GitError, match="timed out after 2 s"):
        clone_or_fetch(f"{silent_server}/stalled.git")


def test_checkout_tag_returns_commit(origin):
    clone = clone_or_fetch(str(origin.path))
    expected = origin.git("rev-parse", "v1.0^{commit}")

    assert checkout(clone, "v1.0") == expected


def test_checkout_tag_writes_its_files(origin):
    clone = clone_or_fetch(str(origin.path))

    checkout(clone, "v1.0")

    assert "<version>18.0</version>" in (clone / "pom.xml").read_text()


def test_checkout_commit_id(origin):
    clone = clone_or_fetch(str(origin.path))
    sha = origin.git("rev-parse", "v1.1^{commit}")

    assert checkout(clone, sha[:10]) == sha


def test_checkout_removes_untracked_files(origin):
    clone = clone_or_fetch(str(origin.path))
    checkout(clone, "v1.0")
    (clone / "Leftover.java").write_text("class Leftover {}")

    checkout(clone, "v1.1")

    assert not (clone / "Leftover.java").exists()


def test_checkout_missing_tag_names_it(origin):
    clone = clone_or_fetch(str(origin.path))

    with pytest.raises(GitError, match="'v9.9' not found"):
        checkout(clone, "v9.9")


def test_checkout_rejects_option_as_ref(origin):
    clone = clone_or_fetch(str(origin.path))

    with pytest.raises(GitError, match="Invalid git ref"):
        checkout(clone, "--orphan")


def test_checkout_outside_repository(tmp_path):
    with pytest.raises(GitError, match="is not a git repository"):
        checkout(tmp_path, "v1.0")


def test_list_tags_sorted(tmp_path):
    repository = Repository(tmp_path / "tags")
    repository.commit()
    for tag in ("v2.0", "v1.0", "release-1.5"):
        repository.tag(tag)

    assert list_tags(repository.path) == ["release-1.5", "v1.0", "v2.0"]


def test_list_java_files_sorted_relative(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "B.java").write_text("class B {}")
    (tmp_path / "A.java").write_text("class A {}")
    (tmp_path / "notes.txt").write_text("not java")

    assert list_java_files(tmp_path) == ["A.java", "b/B.java"]


def test_list_java_files_skips_git_folder(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "Hidden.java").write_text("class Hidden {}")

    assert list_java_files(tmp_path) == []


def test_list_java_files_skips_link_outside_root(tmp_path):
    outside = tmp_path / "outside.java"
    outside.write_text("class Outside {}")
    root = tmp_path / "root"
    root.mkdir()
    (root / "Link.java").symlink_to(outside)

    assert list_java_files(root) == []


def test_list_java_files_skips_folder_link_outside_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Far.java").write_text("class Far {}")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)

    assert list_java_files(root) == []


def test_list_java_files_keeps_link_inside_root(tmp_path):
    (tmp_path / "Real.java").write_text("class Real {}")
    (tmp_path / "Alias.java").symlink_to(tmp_path / "Real.java")

    assert list_java_files(tmp_path) == ["Alias.java", "Real.java"]


def test_list_java_files_skips_broken_link(tmp_path):
    (tmp_path / "Broken.java").symlink_to(tmp_path / "missing.java")

    assert list_java_files(tmp_path) == []


def test_list_java_files_skips_submodule(tmp_path):
    library = guava_user(tmp_path / "library", tags={"v1": "18.0"})
    main = Repository(tmp_path / "main")
    main.write("Main.java", "class Main {}")
    main.git("submodule", "add", "--quiet", str(library.path), "vendor/library")
    main.commit("Add a submodule")

    assert list_java_files(main.path) == ["Main.java"]


def test_list_java_files_keeps_non_utf8_name(tmp_path):
    (tmp_path / os.fsdecode(b"Caf\xe9.java")).write_text("class Cafe {}")

    assert list_java_files(tmp_path) == [os.fsdecode(b"Caf\xe9.java")]


def test_redact_source_removes_password():
    assert redact_source("https://user:pw@host/r.git") == "https://host/r.git"


def test_safe_name_differs_by_source():
    assert safe_name("https://a/x/r.git") != safe_name("https://b/x/r.git")


def test_safe_name_has_no_separator():
    assert "/" not in safe_name("https://host/owner/repo.git")


def test_clone_larger_than_limit_is_stopped(tmp_path, settings):
    source = Repository(tmp_path / "big")
    source.write("data.bin", os.urandom(3 * 1024 * 1024))
    source.commit("Add data")
    settings.GIT_MAX_REPOSITORY_MB = 1
    settings.REPOSITORIES_DIR = tmp_path / "clones"

    with pytest.raises(GitError, match="larger than 1 MB"):
        clone_or_fetch(str(source.path))

    assert not any((tmp_path / "clones").glob("*/.git"))
