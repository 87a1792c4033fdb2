"""The REST API under /api/."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from jobs import events, services
from jobs.models import Result
from jobs.selectors import jobs_with_progress
from jobs.serializers import JobCreateSerializer, JobSerializer, ResultSerializer


class QueueUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "queue_unavailable"


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = (
        "Invalid page {page_number!r}: {message} Pages are numbered from 1."
    )


class JobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Jobs: create one, list them, read one with its progress and results."""

    serializer_class = JobSerializer
    pagination_class = Pagination

    def get_queryset(self):
        return jobs_with_progress().order_by("-id")

    @extend_schema(
        request=JobCreateSerializer,
        responses={
            201: JobSerializer,
            400: OpenApiResponse(description="Invalid fields, named in `fields`."),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = JobCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            job = services.create_job(**serializer.validated_data)
        except services.QueueSendError as error:
            raise QueueUnavailableError(str(error)) from error
        job = self.get_queryset().get(pk=job.pk)
        body = JobSerializer(job, context={"request": request}).data
        location = request.build_absolute_uri(f"/api/jobs/{job.pk}/")
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    @extend_schema(responses=ResultSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="results", url_name="results")
    def results(self, request, pk=None):
        job = self.get_object()
        rows = (
            Result.objects.filter(job=job)
            .select_related(
                "component__project",
                "component__clone_version",
                "component__upgraded_version",
            )
            .order_by("id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ResultSerializer(page, many=True).data)

    @extend_schema(
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                description="Server-Sent Events: `progress` events with the job "
                "status, progress and new results, until the job ends."
            )
        }
    )
    @action(detail=True, methods=["get"], url_path="events", url_name="events")
    def events(self, request, pk=None):
        job = self.get_object()
        return events.stream_response(request, job_id=job.pk)
