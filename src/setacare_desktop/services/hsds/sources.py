"""HSDS 3.0 in, the file: what an import reads from the path the user named.

- a folder of CSV files, or its ``datapackage.json``: the tabular package (``tabular``);
- an ``.xlsx`` workbook, a sheet per table (``spreadsheet``);
- anything else: JSON (a list, a paged ``contents`` object, single objects, or the tabular
  package as one object), read by ``stream`` one record at a time.

The tabular forms are the *whole* directory as exported: a service missing from them is
listed as removed (``preview``). A JSON file adds and replaces only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from setacare_desktop.services.hsds import stream
from setacare_desktop.services.hsds.tabular import read_package

#: (bytes read, bytes in all) while a file is read.
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Source:
    #: The records: the tabular package's tables, or JSON values each with its path.
    tables: dict[str, list[dict[str, object]]] | None
    records: Iterator[tuple[str, object]]  # read as they are walked
    #: The whole directory (a tabular export): services it does not hold are removed.
    whole: bool


def is_tabular(path: Path) -> bool:
    return path.is_dir() or path.name == "datapackage.json" or path.suffix.lower() == ".xlsx"


def read_source(path: Path, limit: int, progress: ProgressFn | None = None) -> Source:
    """Read what ``path`` holds (a ``ValidationError`` naming the file and the problem)."""
    if path.suffix.lower() == ".xlsx" and not path.is_dir():
        from setacare_desktop.services.hsds.spreadsheet import read_workbook

        return Source(read_workbook(path), iter(()), True)
    if path.is_dir() or path.name == "datapackage.json":
        return Source(read_package(path), iter(()), True)
    return Source(None, stream.records(path, limit, progress), False)
