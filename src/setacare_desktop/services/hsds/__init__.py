"""The referral directory as HSDS 3.0: JSON and tabular (CSV) export, JSON import.

HSDS ids: records keep their own id (a slug for the shipped directory). An export writes UUIDs
(``domain.directory.hsds_uuid``, the same UUID for the same record every time); an import maps
those UUIDs back to the slugs it knows, and keeps a foreign UUID as the id of a new record.
An import never confirms a contact (要確認 per entry, ``services.directory``); the export writes
``assured_date`` as the date of our confirmation while it counts, else as imported.
Service areas are written as ``extent_type`` ``text`` with ``extent`` ``setacare:district:<codes>``
(or ``area``, ``ward``); an import also reads 「池尻地区」「世田谷地域」「世田谷区全域」 names, and
takes any other area as the whole ward (with a warning).

``preview_import`` lists what an import would change (new, changed field by field, removed)
and writes nothing; ``import_hsds(expected=…)`` writes exactly that list. An import changes
nothing when the file has any problem (``ValidationError``, one problem per
record field with its JSON path); otherwise each record is added or replaces the one with its
id, in one transaction with an audit row and a ``dir_history`` row per changed record.
"""

from setacare_desktop.services.hsds.export import (
    CSV_COLUMNS,
    CSV_FILES,
    export_hsds_csv,
    export_hsds_json,
    export_hsds_xlsx,
    service_json,
)
from setacare_desktop.services.hsds.importing import import_hsds
from setacare_desktop.services.hsds.preview import ImportPreview, preview_import
from setacare_desktop.services.hsds.reading import ImportReport

__all__ = ["CSV_COLUMNS", "CSV_FILES", "ImportPreview", "ImportReport", "export_hsds_csv",
           "export_hsds_json", "export_hsds_xlsx", "import_hsds", "preview_import",
           "service_json"]
