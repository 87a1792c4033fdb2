import re
from pathlib import Path
from urllib.parse import urlsplit

import git
from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from jobs.models import Job, Result
from versions.maven import InvalidVersion, parse_version

# A sha, tag or branch: word characters (any script), dots, slashes and
# dashes, not starting with a dash so git cannot read it as an option.
_COMMIT = re.compile(r"^\w[\w./-]{0,99}$")
_LIBRARY = re.compile(r"^[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+$")
_URL_SCHEMES = {"http", "https", "ssh", "git", "file"}
_SCP_URL = re.compile(r"^[\w.-]+@[\w.-]+:[^\s]+$")


class JobCreateSerializer(serializers.Serializer):
    """Input of a new job, validated field by field."""

    source = serializers.CharField(
        max_length=500, help_text="Git URL of the client's repository."
    )
    commit = serializers.CharField(
        max_length=100, help_text="Commit sha, tag or branch to analyse."
    )
    library = serializers.CharField(
        max_length=255,
        required=False,
        help_text="Maven library as group:artifact; com.google.guava:guava by default.",
    )
    source_version = serializers.CharField(
        max_length=100, help_text="Library version the client uses now."
    )
    target_version = serializers.CharField(
        max_length=100, help_text="Library version the client upgrades to."
    )

    def validate_source(self, value: str) -> str:
        value = value.strip()
        if _SCP_URL.match(value):
            return value
        parts = urlsplit(value)
        if parts.scheme in _URL_SCHEMES:
            if parts.password:
                raise serializers.ValidationError(
                    "The URL contains a password. Remove the credentials; "
                    "only public repositories are supported."
                )
            if not parts.netloc and parts.scheme != "file":
                raise serializers.ValidationError(
                    f"{value!r} has no host. Use a URL such as "
                    "https://github.com/owner/repo.git."
                )
            return value
        if parts.scheme and len(parts.scheme) > 1:
            raise serializers.ValidationError(
                f"URL scheme {parts.scheme!r} is not supported. Use https, http, "
                "ssh, git or file."
            )
        if not settings.JOBS_ALLOW_LOCAL_SOURCES:
            raise serializers.ValidationError(
                f"{value!r} is not a git URL. Use a URL such as "
                "https://github.com/owner/repo.git."
            )
        folder = Path(value)
        if not folder.is_dir():
            raise serializers.ValidationError(
                f"{value!r} is neither a git URL nor an existing folder on the "
                "server. Give a git URL or the path of a local repository."
            )
        if not _is_git_repository(folder):
            raise serializers.ValidationError(
                f"Folder {value!r} is not a git repository. Give the folder "
                "that contains .git, or a git URL."
            )
        return str(folder.resolve())

    def validate_commit(self, value: str) -> str:
        value = value.strip()
        if not _COMMIT.match(value) or ".." in value:
            raise serializers.ValidationError(
                f"{value!r} is not a valid commit, tag or branch name. Use a "
                "commit sha such as 3f2a9c1 or a tag such as v1.2.0."
            )
        return value

    def validate_library(self, value: str) -> str:
        value = value.strip()
        if not _LIBRARY.match(value):
            raise serializers.ValidationError(
                f"{value!r} is not a Maven library. Use group:artifact, such as "
                "com.google.guava:guava."
            )
        return value

    def validate_source_version(self, value: str) -> str:
        return _validate_version(value)

    def validate_target_version(self, value: str) -> str:
        return _validate_version(value)

    def validate(self, attrs):
        attrs.setdefault("library", settings.DEFAULT_LIBRARY)
        source = parse_version(attrs["source_version"])
        target = parse_version(attrs["target_version"])
        order = target.compare_release(source)
        if order == 0:
            message = (
                f"The target version {str(target)!r} is the same release as the "
                f"source version {str(source)!r}. Give the version you upgrade to."
            )
        elif order < 0:
            message = (
                f"The target version {str(target)!r} is older than the source "
                f"version {str(source)!r}. Update Helper finds examples of "
                "upgrades, so swap the two."
            )
        else:
            return attrs
        raise serializers.ValidationError({"target_version": [message]})


def _is_git_repository(folder: Path) -> bool:
    try:
        git.Repo(folder)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return False
    return True


def _validate_version(value: str) -> str:
    value = value.strip()
    try:
        parse_version(value)
    except InvalidVersion as error:
        raise serializers.ValidationError(str(error)) from error
    return value


class ProgressSerializer(serializers.Serializer):
    components_total = serializers.IntegerField()
    components_done = serializers.IntegerField()


class JobSerializer(serializers.ModelSerializer):
    """A job with its progress and the links to its results."""

    progress = serializers.SerializerMethodField()
    results_count = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()
    events_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "source",
            "commit",
            "library",
            "source_version",
            "target_version",
            "status",
            "error",
            "notice",
            "progress",
            "results_count",
            "results_url",
            "events_url",
            "page_url",
            "methods_count",
            "created_at",
            "updated_at",
            "finished_at",
        ]

    def get_progress(self, job) -> ProgressSerializer:
        return {
            "components_total": job.components_total,
            "components_done": job.components_done,
        }

    def get_results_count(self, job) -> int:
        return job.results_count

    def get_results_url(self, job) -> str:
        return self._absolute(f"/api/jobs/{job.pk}/results/")

    def get_events_url(self, job) -> str:
        return self._absolute(f"/api/jobs/{job.pk}/events/")

    def get_page_url(self, job) -> str:
        return self._absolute(reverse("job-page", args=[job.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class MethodSerializer(serializers.Serializer):
    path = serializers.CharField()
    method = serializers.CharField()
    start_line = serializers.IntegerField()
    end_line = serializers.IntegerField()
    code = serializers.CharField()


class CorpusMethodSerializer(MethodSerializer):
    project = serializers.CharField(help_text="Source of the corpus project.")
    version = serializers.CharField(help_text="Release tag of the project.")


class ResultSerializer(serializers.ModelSerializer):
    """A triplet: the client's method, its clone before the upgrade, and the
    clone's code after the upgrade."""

    original = serializers.SerializerMethodField()
    clone = serializers.SerializerMethodField()
    upgraded = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = ["id", "similarity", "original", "clone", "upgraded"]

    def get_original(self, result) -> MethodSerializer:
        return _method(result, "original")

    def get_clone(self, result) -> CorpusMethodSerializer:
        return {
            **_method(result, "clone"),
            "project": result.component.project.source,
            "version": result.component.clone_version.tag,
        }

    def get_upgraded(self, result) -> CorpusMethodSerializer:
        return {
            **_method(result, "upgraded"),
            "project": result.component.project.source,
            "version": result.component.upgraded_version.tag,
        }


def _method(result: Result, role: str) -> dict:
    return {
        "path": getattr(result, f"{role}_path"),
        "method": getattr(result, f"{role}_method"),
        "start_line": getattr(result, f"{role}_start_line"),
        "end_line": getattr(result, f"{role}_end_line"),
        "code": getattr(result, f"{role}_code"),
    }
