"""The public CRM data sets (../shared/data/real, settings.SALESOPS_REAL_DATA_DIR) for importer tests.

They are never copied into the repository. Where a file is absent a test skips and says why; with
SALESOPS_REQUIRE_REAL_DATA set (CI) it fails instead, so a missing data set cannot pass unnoticed.
"""
import os
from pathlib import Path

import pytest
from django.conf import settings


def real_data_file(*parts: str) -> Path:
    path = Path(settings.SALESOPS_REAL_DATA_DIR).joinpath(*parts)
    if not path.is_file():
        message = f"real data set absent: {path} (set SALESOPS_REAL_DATA_DIR; see ../shared/data/real/SOURCES.md)"
        if os.environ.get("SALESOPS_REQUIRE_REAL_DATA"):
            pytest.fail(message)
        pytest.skip(message)
    return path
