from django.urls import include, path
from rest_framework.routers import DefaultRouter

from jobs import api, legacy, pages

router = DefaultRouter()
router.register("jobs", api.JobViewSet, basename="api-job")

urlpatterns = [
    path("api/", include(router.urls)),
    path("job/", legacy.job_collection, name="legacy-job-list"),
    path("job/<int:job_id>", legacy.job_detail, name="legacy-job-detail"),
    path("job/<int:job_id>/events", legacy.job_events, name="legacy-job-events"),
    path("", pages.job_list_page, name="job-list-page"),
    path("jobs/<int:job_id>/", pages.job_page, name="job-page"),
]
