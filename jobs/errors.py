"""One error shape for the whole API.

Every error response is a JSON object with a machine-readable `code`, a
readable `message` naming the bad value and the fix, and for validation
errors `fields`, the messages for each bad field.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

logger = logging.getLogger(__name__)


def api_exception_handler(exc, context):
    """Turn any exception raised in an API view into the error shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(
            f"{exc.detail} Send a JSON object with Content-Type: application/json."
        )
    response = exception_handler(exc, context)
    if response is None:
        logger.error(
            "Unexpected error in %s",
            context.get("view").__class__.__name__,
            exc_info=exc,
        )
        return Response(
            {
                "code": "internal_error",
                "message": "Internal server error. The error has been logged.",
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    if isinstance(exc, exceptions.ValidationError):
        response.data = validation_error_body(exc.detail)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {
            "code": getattr(detail, "code", None) or "error",
            "message": str(detail),
        }
    return response


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self):
        super().__init__(
            f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} "
            "bytes. Send only the job's fields."
        )


def validation_error_body(detail) -> dict:
    """Build the error body for DRF validation details."""
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    fields = {
        name: [str(message) for message in _as_list(messages)]
        for name, messages in detail.items()
    }
    summary = "; ".join(
        f"{name}: {' '.join(messages)}" for name, messages in fields.items()
    )
    return {
        "code": "invalid",
        "message": f"Invalid request. {summary}",
        "fields": fields,
    }


def _as_list(messages):
    if isinstance(messages, dict):
        return [f"{key}: {value}" for key, value in messages.items()]
    if isinstance(messages, list):
        return messages
    return [messages]
