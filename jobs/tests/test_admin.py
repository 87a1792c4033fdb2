import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db

APP_LABELS = {"jobs", "projects"}


def registered_models():
    return [
        model for model in admin.site._registry if model._meta.app_label in APP_LABELS
    ]


def test_every_model_has_an_admin():
    names = {model.__name__ for model in registered_models()}

    assert {"Job", "JobComponent", "Result", "Project", "ProjectVersion"} <= names


def test_admin_pages_render(admin_client, finished_job):
    for model in registered_models():
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"

        listing = admin_client.get(base)
        assert listing.status_code == 200, base
        searched = admin_client.get(base, {"q": "lib"})
        assert searched.status_code == 200, base

        first = model.objects.first()
        if first is not None:
            change = admin_client.get(f"{base}{first.pk}/change/")
            assert change.status_code == 200, f"{base}{first.pk}/change/"


def test_job_admin_shows_components_and_results(admin_client, finished_job):
    response = admin_client.get(f"/admin/jobs/job/{finished_job.pk}/change/")

    content = response.content.decode()
    assert "src/App0.java" in content
    assert "v2.0" in content
