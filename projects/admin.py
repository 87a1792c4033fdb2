from django.contrib import admin

from projects.models import Project, ProjectVersion, SourceFile


class ProjectVersionInline(admin.TabularInline):
    model = ProjectVersion
    fields = ["tag", "library", "declared_version", "status", "methods_count"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "source", "updated_at", "has_error"]
    search_fields = ["name", "source"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ProjectVersionInline]

    @admin.display(boolean=True, description="error")
    def has_error(self, project):
        return bool(project.last_error)


@admin.register(ProjectVersion)
class ProjectVersionAdmin(admin.ModelAdmin):
    list_display = [
        "project",
        "tag",
        "library",
        "declared_version",
        "status",
        "files_count",
        "methods_count",
        "extraction_errors",
        "extractor_version",
        "prepared_at",
    ]
    list_filter = ["status", "library", "extractor_version"]
    search_fields = ["project__name", "project__source", "tag", "declared_version"]
    list_select_related = ["project"]
    readonly_fields = ["prepared_at"]
    raw_id_fields = ["project"]


@admin.register(SourceFile)
class SourceFileAdmin(admin.ModelAdmin):
    list_display = ["path", "project_version", "methods_count", "syntax_errors"]
    search_fields = ["path", "project_version__project__name"]
    list_select_related = ["project_version__project"]
    raw_id_fields = ["project_version"]
