import pytest


@pytest.fixture(autouse=True)
def repositories_dir(settings, tmp_path):
    """Keep clones made by a test in its own temporary folder."""
    settings.REPOSITORIES_DIR = tmp_path / "clones"
    settings.GIT_TIMEOUT = 30
    return settings.REPOSITORIES_DIR


@pytest.fixture
def storage_dir(settings, tmp_path):
    """Point default_storage at a temporary folder."""
    location = tmp_path / "storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "metrics.storage.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location
