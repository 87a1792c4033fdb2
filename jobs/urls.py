from django.urls import include, path, re_path
from rest_framework.routers import DefaultRouter

from jobs import api, legacy, pages


class OptionalSlashRouter(DefaultRouter):
    """A router whose routes match with and without a trailing slash, so a
    POST to /api/jobs is not redirected (and turned into a GET)."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("jobs", api.JobViewSet, basename="api-job")

urlpatterns = [
    path("api/", include(router.urls)),
    # The original clients call these with and without a trailing slash.
    re_path(r"^job/?$", legacy.job_collection, name="legacy-job-list"),
    re_path(r"^job/(?P<job_id>[0-9]+)/?$", legacy.job_detail, name="legacy-job-detail"),
    re_path(
        r"^job/(?P<job_id>[0-9]+)/events/?$",
        legacy.job_events,
        name="legacy-job-events",
    ),
    re_path(r"^job/", legacy.not_found),
    path("", pages.job_list_page, name="job-list-page"),
    path("jobs/<int:job_id>/", pages.job_page, name="job-page"),
]
