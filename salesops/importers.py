"""The importers registry: the public data sets each app can load (base layer: imports no app).

An app registers, from its registry.py, a `PublicDataset`: a code, a translated name, the file it reads
under `settings.SALESOPS_REAL_DATA_DIR` and `load(folder, owner) -> str` (a one-line summary; raises
ValidationError / PermissionDenied on a bad file). `manage.py load_public_datasets` loads every one in
`order`; the import pages may list them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PublicDataset:
    code: str
    name: Any  # a lazy translated string
    path: tuple[str, ...]  # under SALESOPS_REAL_DATA_DIR
    load: Callable[[Path, Any], str]  # (folder, owner) -> summary
    order: int = 100
    app: str = ""


_datasets: dict[str, PublicDataset] = {}


def register(dataset: PublicDataset) -> PublicDataset:
    _datasets[dataset.code] = dataset
    return dataset


def public_datasets() -> list[PublicDataset]:
    return sorted(_datasets.values(), key=lambda d: (d.order, d.code))
