import io
import json

import pytest
from django.core.management import CommandError, call_command

from metrics.management.commands.preparedata import Command as PreparedataCommand
from projects.models import Project, ProjectVersion
from projects.tests.gitrepos import guava_user, pom
from projects.tests.test_services import needs_preparation


def run_preparedata(projects_file, *arguments):
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(
        "preparedata",
        "--projects",
        str(projects_file),
        *arguments,
        stdout=stdout,
        stderr=stderr,
    )
    return stdout.getvalue(), stderr.getvalue()


def projects_file(path, *lines):
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


@pytest.fixture
def two_projects(tmp_path):
    first = guava_user(tmp_path / "first", tags={"v1.0": "18.0", "v1.1": "19.0"})
    second = guava_user(tmp_path / "second", tags={"2.0": "20.0", "2.1": None})
    return first, second


@needs_preparation
@pytest.mark.django_db
def test_preparedata_prepares_projects(two_projects, tmp_path, storage_dir):
    first, second = two_projects
    path = projects_file(
        tmp_path / "projects.jsonl",
        json.dumps({"source": str(first.path)}),
        json.dumps({"source": str(second.path), "versions": ["2.0", "2.1"]}),
    )

    stdout, _ = run_preparedata(path)

    statuses = sorted(
        ProjectVersion.objects.values_list("project__name", "tag", "status")
    )
    assert statuses == [
        ("first", "v1.0", "PREPARED"),
        ("first", "v1.1", "PREPARED"),
        ("second", "2.0", "PREPARED"),
        ("second", "2.1", "SKIPPED"),
    ]
    assert "[2/2] first v1.1: " in stdout
    assert "3 prepared, 1 skipped, 0 already done, 0 failed" in stdout


@needs_preparation
@pytest.mark.django_db
def test_preparedata_rerun_skips_prepared(two_projects, tmp_path, storage_dir):
    first, _ = two_projects
    path = projects_file(tmp_path / "p.jsonl", json.dumps({"source": str(first.path)}))
    run_preparedata(path)

    stdout, _ = run_preparedata(path)

    assert "[1/2] first v1.0: already prepared" in stdout
    assert "0 prepared, 0 skipped, 2 already done" in stdout


@needs_preparation
@pytest.mark.django_db
def test_preparedata_bad_source_does_not_stop_others(
    two_projects, tmp_path, storage_dir
):
    first, _ = two_projects
    path = projects_file(
        tmp_path / "p.jsonl",
        json.dumps({"source": str(tmp_path / "vanished")}),
        json.dumps({"source": str(first.path)}),
    )

    stdout, _ = run_preparedata(path)

    assert ProjectVersion.objects.filter(status="PREPARED").count() == 2
    assert "vanished: Local repository" in stdout
    vanished = Project.objects.get(name="vanished")
    assert "not found" in vanished.last_error


@needs_preparation
@pytest.mark.django_db
def test_preparedata_reports_bad_line_number(two_projects, tmp_path, storage_dir):
    first, _ = two_projects
    path = projects_file(
        tmp_path / "p.jsonl",
        json.dumps({"source": str(first.path)}),
        '{"versions": ["1.0"]}',
    )

    _, stderr = run_preparedata(path)

    assert 'p.jsonl:2: Missing "source"' in stderr


@needs_preparation
@pytest.mark.django_db
def test_preparedata_project_option_filters(two_projects, tmp_path, storage_dir):
    first, second = two_projects
    path = projects_file(
        tmp_path / "p.jsonl",
        json.dumps({"source": str(first.path)}),
        json.dumps({"source": str(second.path)}),
    )

    run_preparedata(path, "--project", str(second.path))

    assert list(Project.objects.values_list("name", flat=True)) == ["second"]


@needs_preparation
@pytest.mark.django_db
def test_preparedata_library_option(two_projects, tmp_path, storage_dir):
    first, _ = two_projects
    path = projects_file(tmp_path / "p.jsonl", json.dumps({"source": str(first.path)}))

    run_preparedata(path, "--library", "org.slf4j:slf4j-api")

    assert set(ProjectVersion.objects.values_list("library", "status")) == {
        ("org.slf4j:slf4j-api", "SKIPPED")
    }


@pytest.mark.django_db
def test_preparedata_fails_when_nothing_readable(tmp_path):
    path = projects_file(
        tmp_path / "p.jsonl", json.dumps({"source": str(tmp_path / "vanished")})
    )

    with pytest.raises(CommandError, match="No repository could be read"):
        run_preparedata(path)


@pytest.mark.django_db
def test_preparedata_fails_on_only_invalid_lines(tmp_path):
    path = projects_file(tmp_path / "p.jsonl", "{broken")

    with pytest.raises(CommandError, match="every line was empty or invalid"):
        run_preparedata(path)


def test_preparedata_rejects_bad_library(tmp_path):
    path = projects_file(tmp_path / "p.jsonl", json.dumps({"source": "a"}))

    with pytest.raises(CommandError, match="GROUP:ARTIFACT"):
        run_preparedata(path, "--library", "guava")


def test_preparedata_missing_projects_file(tmp_path):
    with pytest.raises(CommandError, match="missing.jsonl"):
        run_preparedata(tmp_path / "missing.jsonl")


@pytest.mark.django_db
def test_preparedata_unknown_project_option(tmp_path):
    path = projects_file(tmp_path / "p.jsonl", json.dumps({"source": "a"}))

    with pytest.raises(CommandError, match="No line of .* has source 'b'"):
        run_preparedata(path, "--project", "b")


def test_preparedata_help_documents_library_version():
    parser = PreparedataCommand().create_parser("manage.py", "preparedata")
    help_text = " ".join(parser.format_help().split())

    assert '"library_version": "<Maven version>"' in help_text
    assert '"library_versions": {"<release version>": "<Maven version>"}' in help_text
    assert "cannot be resolved inside the repository" in help_text


def run_preparedata_failing(projects_file) -> str:
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="No repository could be read"):
        call_command(
            "preparedata",
            "--projects",
            str(projects_file),
            stdout=io.StringIO(),
            stderr=stderr,
        )
    return stderr.getvalue()


@pytest.mark.django_db
def test_preparedata_reports_invalid_library_version(tmp_path):
    path = projects_file(
        tmp_path / "p.jsonl",
        json.dumps({"source": str(tmp_path / "vanished")}),
        json.dumps({"source": "a", "library_version": "1..2"}),
    )

    stderr = run_preparedata_failing(path)

    assert "p.jsonl:2: Invalid \"library_version\": Invalid version '1..2'" in stderr


@pytest.mark.django_db
def test_preparedata_goes_on_after_line_not_utf8(tmp_path):
    path = tmp_path / "p.jsonl"
    vanished = json.dumps({"source": str(tmp_path / "vanished")}).encode()
    path.write_bytes(b'{"source": "caf\xe9"}\n' + vanished + b"\n")

    stderr = run_preparedata_failing(path)

    assert "p.jsonl:1: Invalid UTF-8" in stderr


@needs_preparation
@pytest.mark.django_db(transaction=True)
def test_preparedata_enqueue_lets_worker_prepare(two_projects, tmp_path, storage_dir):
    from jobs.models import QueueMessage
    from jobs.queue import DatabaseQueue
    from jobs.worker import Worker

    first, _ = two_projects
    path = projects_file(
        tmp_path / "projects.jsonl", json.dumps({"source": str(first.path)})
    )

    stdout, _ = run_preparedata(path, "--enqueue")
    queued = list(QueueMessage.objects.values_list("body", flat=True))
    Worker(queue=DatabaseQueue(), wait_seconds=0).run(once=True)
    second_stdout, _ = run_preparedata(path, "--enqueue")

    assert "queued 2 versions" in stdout
    assert [body["tag"] for body in queued] == ["v1.0", "v1.1"]
    assert all(body["type"] == "prepare" for body in queued)
    statuses = sorted(ProjectVersion.objects.values_list("tag", "status"))
    assert statuses == [("v1.0", "PREPARED"), ("v1.1", "PREPARED")]
    assert "queued 0 versions, 2 already done" in second_stdout


@needs_preparation
@pytest.mark.django_db(transaction=True)
def test_prepare_message_twice_prepares_once(two_projects, storage_dir):
    from projects.services import prepare_from_message

    first, _ = two_projects
    body = {
        "type": "prepare",
        "source": str(first.path),
        "tag": "v1.0",
        "library": "com.google.guava:guava",
    }

    prepare_from_message(body)
    second = prepare_from_message(body)

    assert second.reused
    assert ProjectVersion.objects.filter(tag="v1.0").count() == 1


@needs_preparation
@pytest.mark.django_db
def test_preparedata_redoes_moved_tag(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "moving", tags={"v1.0": "18.0"})
    path = projects_file(
        tmp_path / "projects.jsonl", json.dumps({"source": str(repository.path)})
    )
    run_preparedata(path)

    repository.write("pom.xml", pom(guava_version="19.0"))
    moved_to = repository.commit("Release v1.0 again")
    repository.git("tag", "--force", "v1.0")
    stdout, _ = run_preparedata(path)

    version = ProjectVersion.objects.get(tag="v1.0")
    assert version.commit == moved_to
    assert version.declared_version == "19.0"
    assert "1 prepared" in stdout


@needs_preparation
@pytest.mark.django_db
def test_preparedata_rebuilds_lost_metric_file(tmp_path, storage_dir):
    repository = guava_user(tmp_path / "lost", tags={"v1.0": "18.0"})
    path = projects_file(
        tmp_path / "projects.jsonl", json.dumps({"source": str(repository.path)})
    )
    run_preparedata(path)
    version = ProjectVersion.objects.get(tag="v1.0")
    (storage_dir / version.metric_file).unlink()

    stdout, _ = run_preparedata(path)

    assert "1 prepared" in stdout
    assert (storage_dir / ProjectVersion.objects.get(tag="v1.0").metric_file).exists()
