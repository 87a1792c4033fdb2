from django.db import models


class Project(models.Model):
    """A dependent open-source project in the corpus."""

    source = models.CharField(
        max_length=500, unique=True, help_text="Git URL or local path."
    )
    name = models.CharField(max_length=200)
    last_error = models.TextField(
        blank=True, help_text="Why the last preparation of the project failed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class ProjectVersion(models.Model):
    """One release tag of a project and the library version it declares."""

    class Status(models.TextChoices):
        PREPARED = "PREPARED", "prepared"
        SKIPPED = "SKIPPED", "skipped"
        ERROR = "ERROR", "error"

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="versions"
    )
    tag = models.CharField(max_length=255)
    commit = models.CharField(max_length=64, blank=True)
    library = models.CharField(max_length=255, help_text="group:artifact")
    declared_version = models.CharField(max_length=100, blank=True)
    declared_version_source = models.CharField(
        max_length=500,
        blank=True,
        help_text="Build file and rule the declared version was read from.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PREPARED
    )
    status_reason = models.TextField(blank=True)
    metric_file = models.CharField(max_length=500, blank=True)
    sources_file = models.CharField(max_length=500, blank=True)
    files_count = models.PositiveIntegerField(default=0)
    methods_count = models.PositiveIntegerField(default=0)
    extraction_errors = models.PositiveIntegerField(
        default=0, help_text="Syntax errors and unreadable files met in extraction."
    )
    extractor_version = models.CharField(max_length=20, blank=True)
    prepared_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "tag", "library"], name="unique_project_tag_library"
            )
        ]
        indexes = [models.Index(fields=["library", "declared_version"])]

    def __str__(self):
        return f"{self.project.name}@{self.tag}"


class SourceFile(models.Model):
    """A Java file of a prepared project version."""

    project_version = models.ForeignKey(
        ProjectVersion, on_delete=models.CASCADE, related_name="files"
    )
    path = models.CharField(max_length=1000)
    methods_count = models.PositiveIntegerField(default=0)
    syntax_errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    blob = models.CharField(
        max_length=40,
        blank=True,
        help_text="Git blob sha of the extracted content. A later version "
        "reuses the blocks of a file with the same path and sha.",
    )

    class Meta:
        ordering = ["project_version", "id"]

    def __str__(self):
        return self.path
