import importlib

import pytest


def module_unavailable(name: str) -> bool:
    """Return whether a module cannot be imported yet."""
    try:
        importlib.import_module(name)
    except ImportError:
        return True
    return False


needs_extractor = pytest.mark.skipif(
    module_unavailable("oreo.extract"), reason="oreo.extract cannot be imported"
)
needs_metricfile = pytest.mark.skipif(
    module_unavailable("oreo.extract") or module_unavailable("oreo.metricfile"),
    reason="oreo.extract or oreo.metricfile cannot be imported",
)


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
