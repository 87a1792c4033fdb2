"""Storage backends and helpers for metric files and source archives."""

import os
import tempfile

from django.core.files.storage import FileSystemStorage


class AtomicFileSystemStorage(FileSystemStorage):
    """Local storage whose saves replace the target in one rename, so a
    reader never sees half a file, and which overwrites existing names."""

    def get_available_name(self, name, max_length=None):
        return name

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary_path = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as output:
                if hasattr(content, "chunks"):
                    for chunk in content.chunks():
                        output.write(
                            chunk if isinstance(chunk, bytes) else chunk.encode()
                        )
                else:
                    data = content.read()
                    output.write(data if isinstance(data, bytes) else data.encode())
            os.chmod(temporary_path, 0o644)
            os.replace(temporary_path, full_path)
        except BaseException:
            if os.path.exists(temporary_path):
                os.unlink(temporary_path)
            raise
        return name
