"""Delivering a printout: a print is recorded only once its file is written or its pages are
accepted by the printer.

A print use case renders the PDF and hands it to a :data:`Deliver` (write it to a file, paint it
on a printer) *inside its transaction*, before it commits the print record (the sheet number, the
``sheet_print`` row, the audit row). A delivery that fails rolls all of that back — no number is
consumed, so the next print that succeeds is the 原本 — and is audited as a failure
(``<action>_failed``) once the transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from setacare_desktop.domain.roles import StaffProfile
from setacare_desktop.reports.metadata import archival_copy
from setacare_desktop.services.errors import ServiceError
from setacare_desktop.services.files import reason_of, write_atomically
from setacare_desktop.services.unit import refusal

#: Takes the PDF and the document's name (a sheet number, 「相談受付票_No12」: a file name
#: without its ``.pdf``) and delivers it (writes the file, paints the pages); raises on failure a
#: ``ServiceError`` with the user's message (:class:`DeliveryError`, a ``FileError``).
Deliver = Callable[[bytes, str], None]


class DeliveryError(ServiceError):
    """The printout was not delivered (the printer refused it); nothing was recorded as printed."""


def to_file(path: Path, *, replace: bool = False) -> Deliver:
    """Deliver by writing the PDF to ``path`` (whole or not at all); an existing file is
    replaced only when the user said so (``--force``, or a confirmation in the window). A kept
    file is an archived copy: PDF/A-2b (``reports.metadata.archival_copy``, docs/printing.md)."""
    def write(pdf: bytes, _name: str) -> None:
        write_atomically(path, archival_copy(pdf), replace=replace)
    return write


def to_folder(folder: Path) -> Deliver:
    """Deliver by writing the PDF (PDF/A-2b, as :func:`to_file`) into ``folder`` under the
    document's name (``<name>.pdf``)."""
    def write(pdf: bytes, name: str) -> None:
        write_atomically(folder / f"{name}.pdf", archival_copy(pdf))
    return write


def deliver(session: Session, actor: StaffProfile, pdf: bytes, name: str, target: Deliver, *,
            action: str, entity: str, entity_id: object, detail: str | None = None) -> None:
    """Deliver ``pdf`` (named ``name``) inside the print's transaction; on failure raise the
    error with the audit row ``<action>_failed``, written after the rollback."""
    session.flush()  # the print's own rows are checked (unique numbers) before paper exists
    try:
        target(pdf, name)
    except ServiceError as error:
        raise refusal(error, actor, f"{action}_failed", entity=entity, entity_id=entity_id,
                      detail=detail) from None
    except OSError as error:
        raise refusal(DeliveryError(f"書き出せませんでした（{reason_of(error)}）。"), actor,
                      f"{action}_failed", entity=entity, entity_id=entity_id,
                      detail=detail) from error
