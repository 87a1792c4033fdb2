from django import forms
from django.contrib import admin, messages

from jobs import queue, services
from jobs.models import Job, JobComponent, JobFile, QueueMessage, Result, Status
from jobs.serializers import JobCreateSerializer


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


class JobAddForm(forms.ModelForm):
    """The fields a client gives, validated as the API validates them."""

    library = forms.CharField(required=False, help_text="Default: Guava.")

    class Meta:
        model = Job
        fields = ["source", "commit", "library", "source_version", "target_version"]

    def clean(self):
        data = {name: value for name, value in self.cleaned_data.items() if value}
        serializer = JobCreateSerializer(data=data)
        if not serializer.is_valid():
            for field, messages in serializer.errors.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, str(message))
            return self.cleaned_data
        return serializer.validated_data


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
    inlines = [JobComponentInline, ResultInline]
    date_hierarchy = "created_at"
    actions = ["queue_initialization"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = JobAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return JobAddForm.Meta.fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [field.name for field in Job._meta.fields]

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_model(self, request, obj, form, change):
        """Save an added job through the service, so it is queued like a job
        created through the API."""
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            job = services.create_job(**form.cleaned_data)
        except services.QueueSendError:
            # Unlike an API client, the admin user cannot simply retry, so
            # the job is kept for the requeue action.
            job = Job.objects.create(**form.cleaned_data)
            self.message_user(
                request,
                f"The job queue is unavailable, so job {job.pk} was saved but not "
                "queued. Once the queue is back, select it and run 'Queue the "
                "pending work of the selected jobs again'.",
                level=messages.WARNING,
            )
        obj.pk = job.pk
        obj.refresh_from_db()

    @admin.action(description="Queue the pending work of the selected jobs again")
    def queue_initialization(self, request, queryset):
        job_ids = list(
            queryset.filter(status=Status.INITIALIZING).values_list("pk", flat=True)
        )
        component_ids = list(
            JobComponent.objects.filter(
                job__in=queryset.filter(status=Status.RUNNING),
                status=Status.QUEUEING,
            ).values_list("pk", flat=True)
        )
        queue.enqueue(
            [{"type": queue.INITIALIZE, "job_id": pk} for pk in job_ids]
            + [{"type": queue.COMPONENT, "component_id": pk} for pk in component_ids]
        )
        self.message_user(
            request,
            f"Queued {len(job_ids)} INITIALIZING jobs and {len(component_ids)} "
            "QUEUEING components. Finished jobs were left as they are.",
        )


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
