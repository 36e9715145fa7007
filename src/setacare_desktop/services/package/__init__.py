"""The offline day package (日次パッケージ): a supervisor's review taken away on a laptop.

``export_package`` writes the consultations, referrals, flags and reviews of a district or an area
over some days into one file encrypted with a passphrase. ``open_package`` reads it back on
another machine, where :class:`PackageReviewSource` serves the review screen over it: the cases
are read-only, and every decision (確認済 / 差戻し, 日次確認) is saved into the file at once.
``import_package`` brings those decisions back into the main database, once: a decision already
imported is skipped, and one that no longer fits (the case was amended since the export, the
day was signed off meanwhile, the reviewer is no longer a supervisor there) is reported, never
silently applied. docs/package.md describes the format, the threat model and the import rules.

The modules, along the seams where the package changes for different reasons:

- ``crypto``: scrypt key derivation, AES-256-GCM, the passphrase rule (zxcvbn);
- ``codec``: the file layout, its version, the binding (database, expiry), and what is accepted
  when a file is read;
- ``proof``: the reviewer token wrapped under the reviewer's password, and decisions' proofs;
- ``contents``: an opened :class:`Package` (days, audit rows, reviewers, offline logins,
  decisions);
- ``masking``: the exporter's view (the visibility rule) applied to what is packaged;
- ``auditrows``: the 操作記録 of the package's districts and days;
- ``clock``: the one place the package reads the time from;
- ``source``: the review screen over a package, with no database (``setacare package open``);
- ``exporting`` / ``importing``: the two use cases that touch the database.

The window and the command line import from here, as they did when this was one module.
"""

from __future__ import annotations

from setacare_desktop.services.files import write_atomically
from setacare_desktop.services.package.auditrows import AuditRow
from setacare_desktop.services.package.codec import (
    CANNOT_OPEN,
    FORMAT_VERSION,
    HEADER_MAX,
    MAGIC,
    NOT_A_PACKAGE,
    Binding,
    PackageError,
    PackageExpiredError,
    expiry_text,
)
from setacare_desktop.services.package.contents import (
    OfflineDecision,
    Package,
    PackageReviewer,
    PackageScope,
    open_package,
)
from setacare_desktop.services.package.crypto import (
    CIPHER,
    KDF,
    NONCE_BYTES,
    PASSPHRASE_MIN,
    PASSPHRASE_SCORE,
    SALT_BYTES,
    SCRYPT_MEMORY_MAX,
    SCRYPT_N,
    SCRYPT_N_MAX,
    SCRYPT_P,
    SCRYPT_R,
    passphrase_problem,
)
from setacare_desktop.services.package.crypto import derive as _derive  # noqa: F401 (bench)
from setacare_desktop.services.package.crypto import new_key as _new_key  # noqa: F401 (bench)
from setacare_desktop.services.package.exporting import (
    EXPIRES_IN_DAYS,
    EXPIRES_MAX,
    EXPIRES_MIN,
    EXPORT_OUT_OF_SCOPE,
    MAX_DAYS,
    ExportResult,
    export_package,
    resolve_scope,
)
from setacare_desktop.services.package.importing import (
    AMENDED_SINCE,
    CASE_NOT_FOUND,
    DAY_CHANGED_SINCE,
    DECIDED_SINCE,
    FOREIGN_DATABASE,
    IMPORT_OUT_OF_SCOPE,
    NOT_A_REVIEWER_NOW,
    NOT_PROVEN,
    OUTSIDE_PACKAGE,
    Conflict,
    ImportReport,
    import_package,
)
from setacare_desktop.services.package.proof import WRAP_N
from setacare_desktop.services.package.source import PackageReviewSource

__all__ = [
    "AMENDED_SINCE",
    "CANNOT_OPEN",
    "CASE_NOT_FOUND",
    "CIPHER",
    "DAY_CHANGED_SINCE",
    "DECIDED_SINCE",
    "EXPIRES_IN_DAYS",
    "EXPIRES_MAX",
    "EXPIRES_MIN",
    "EXPORT_OUT_OF_SCOPE",
    "FOREIGN_DATABASE",
    "FORMAT_VERSION",
    "HEADER_MAX",
    "IMPORT_OUT_OF_SCOPE",
    "KDF",
    "MAGIC",
    "MAX_DAYS",
    "NONCE_BYTES",
    "NOT_A_PACKAGE",
    "NOT_A_REVIEWER_NOW",
    "NOT_PROVEN",
    "OUTSIDE_PACKAGE",
    "PASSPHRASE_MIN",
    "PASSPHRASE_SCORE",
    "SALT_BYTES",
    "SCRYPT_MEMORY_MAX",
    "SCRYPT_N",
    "SCRYPT_N_MAX",
    "SCRYPT_P",
    "SCRYPT_R",
    "WRAP_N",
    "AuditRow",
    "Binding",
    "Conflict",
    "ExportResult",
    "ImportReport",
    "OfflineDecision",
    "Package",
    "PackageError",
    "PackageExpiredError",
    "PackageReviewSource",
    "PackageReviewer",
    "PackageScope",
    "expiry_text",
    "export_package",
    "import_package",
    "open_package",
    "passphrase_problem",
    "resolve_scope",
    "write_atomically",
]
