from django.contrib import admin

from jobs.models import Job, JobComponent, JobFile, QueueMessage, Result


class JobComponentInline(admin.TabularInline):
    model = JobComponent
    extra = 0
    fields = ["project", "clone_version", "upgraded_version", "status", "error"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


class ResultInline(admin.StackedInline):
    model = Result
    extra = 0
    fields = [
        (
            "original_path",
            "original_method",
            "original_start_line",
            "original_end_line",
        ),
        ("clone_path", "clone_method", "clone_start_line", "clone_end_line"),
        (
            "upgraded_path",
            "upgraded_method",
            "upgraded_start_line",
            "upgraded_end_line",
        ),
        "similarity",
    ]
    readonly_fields = [
        name for row in fields for name in (row if isinstance(row, tuple) else (row,))
    ]
    show_change_link = True
    can_delete = False
    classes = ["collapse"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "source",
        "commit",
        "library",
        "source_version",
        "target_version",
        "status",
        "methods_count",
        "created_at",
    ]
    list_filter = ["status", "library", "source_version", "target_version"]
    search_fields = ["source", "commit", "error"]
    readonly_fields = [
        "metric_file",
        "sources_file",
        "created_at",
        "updated_at",
        "finished_at",
    ]
    inlines = [JobComponentInline, ResultInline]
    date_hierarchy = "created_at"


@admin.register(JobComponent)
class JobComponentAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "job",
        "project",
        "clone_version",
        "upgraded_version",
        "status",
        "attempts",
    ]
    list_filter = ["status"]
    search_fields = ["project__name", "project__source", "error"]
    raw_id_fields = ["job", "project", "clone_version", "upgraded_version"]
    inlines = [ResultInline]


@admin.register(Result)
class ResultAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "job",
        "original_path",
        "original_method",
        "clone_path",
        "similarity",
    ]
    list_filter = ["component__project"]
    search_fields = ["original_path", "original_method", "clone_path", "upgraded_path"]
    raw_id_fields = ["job", "component"]


@admin.register(JobFile)
class JobFileAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "path", "methods_count", "syntax_errors"]
    search_fields = ["path", "error"]
    raw_id_fields = ["job"]


@admin.register(QueueMessage)
class QueueMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "body", "visible_at", "receive_count", "created_at"]
