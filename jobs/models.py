from django.db import models

from projects.models import Project, ProjectVersion


class Status(models.TextChoices):
    """Job and component statuses, kept from the original system because
    clients know them."""

    INITIALIZING = "INITIALIZING", "initializing"
    QUEUEING = "QUEUEING", "queueing"
    RUNNING = "RUNNING", "running"
    FINISHED = "FINISHED", "finished"
    ERROR = "ERROR", "error"


class Job(models.Model):
    """A client's request for migration examples for its repository."""

    source = models.CharField(max_length=500, help_text="Git URL or local path.")
    commit = models.CharField(max_length=100)
    library = models.CharField(max_length=255, help_text="group:artifact")
    source_version = models.CharField(max_length=100)
    target_version = models.CharField(max_length=100)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.INITIALIZING
    )
    error = models.TextField(blank=True)
    notice = models.TextField(
        blank=True, help_text="Why a job that did not fail has no results."
    )
    metric_file = models.CharField(max_length=500, blank=True)
    sources_file = models.CharField(max_length=500, blank=True)
    methods_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"job {self.pk} {self.source}@{self.commit}"


class JobFile(models.Model):
    """A Java file of the client's repository at the job's commit."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    methods_count = models.PositiveIntegerField(default=0)
    syntax_errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "id"]

    def __str__(self):
        return self.path


class JobComponent(models.Model):
    """The comparison of a job with one corpus project."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="components")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    clone_version = models.ForeignKey(
        ProjectVersion, on_delete=models.CASCADE, related_name="+"
    )
    upgraded_version = models.ForeignKey(
        ProjectVersion, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUEING
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "project"], name="unique_job_component_project"
            )
        ]

    def __str__(self):
        return f"job {self.job_id} component {self.pk} ({self.project})"


class Result(models.Model):
    """A triplet: the client's method, its clone in a corpus project on the
    source version, and that method in the project's first version on the
    target version."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="results")
    component = models.ForeignKey(
        JobComponent, on_delete=models.CASCADE, related_name="results"
    )
    original_path = models.CharField(max_length=1000)
    original_method = models.CharField(max_length=255)
    original_start_line = models.PositiveIntegerField()
    original_end_line = models.PositiveIntegerField()
    original_code = models.TextField()
    clone_path = models.CharField(max_length=1000)
    clone_method = models.CharField(max_length=255)
    clone_start_line = models.PositiveIntegerField()
    clone_end_line = models.PositiveIntegerField()
    clone_code = models.TextField()
    upgraded_path = models.CharField(max_length=1000)
    upgraded_method = models.CharField(max_length=255)
    upgraded_start_line = models.PositiveIntegerField()
    upgraded_end_line = models.PositiveIntegerField()
    upgraded_code = models.TextField()
    similarity = models.FloatField(
        default=0.0, help_text="Clone similarity of original and clone, 0 to 1."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "id"]

    def __str__(self):
        return f"result {self.pk} of job {self.job_id}"


class QueueMessage(models.Model):
    """A message of the queue kept in the database (the embedded default)."""

    body = models.JSONField()
    visible_at = models.DateTimeField(db_index=True)
    receive_count = models.PositiveIntegerField(default=0)
    receipt = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"message {self.pk} {self.body}"
