"""Saving a file the user named in the window: an existing file is replaced only when the user
said so.

The save dialog (``QFileDialog.getSaveFileName``) asks before it returns the name of an existing
file — its own confirmation, never switched off (``DontConfirmOverwrite`` is not set anywhere in
``ui/``). A page that then adds the extension (``report`` → ``report.pdf``) writes a name the
dialog never asked about: :func:`save_target` asks about that one (:func:`confirm_overwrite`).
The result says whether the service may replace a file (``replace=True``); without it an
existing file is refused, so a file that appeared in between is not overwritten either.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from setacare_desktop.services import ServiceError


def confirm_overwrite(parent: QWidget | None, path: Path) -> bool:
    """Ask whether ``path``, which exists, may be replaced (the default answer is no)."""
    buttons = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Question, "上書きの確認",
                      f"{path.name} は既にあります。\n置き換えますか？", buttons.Yes | buttons.Cancel,
                      parent)
    box.setInformativeText(str(path.parent))
    box.button(buttons.Yes).setText("置き換える(&R)")
    box.button(buttons.Cancel).setText("キャンセル")
    box.setDefaultButton(buttons.Cancel)
    return box.exec() == buttons.Yes


def save_target(chosen: str, extension: str, confirm: Callable[[Path], bool]
                ) -> tuple[Path, bool] | None:
    """The file to write for a name chosen in a save dialog, and whether it may replace one
    that exists; None when the user declined to replace it.

    The save dialog has already asked about the name it returned; a name this function changes
    (the extension added) is asked about here.
    """
    path = Path(chosen)
    if path.suffix.lower() == f".{extension}":
        return path, os.path.lexists(path)
    path = path.with_name(f"{path.name}.{extension}")
    if not os.path.lexists(path):
        return path, False
    return (path, True) if confirm(path) else None


def error_text(error: Exception) -> str:
    """The Japanese reason of a failed save (a service's message, or the system's)."""
    if isinstance(error, ServiceError):
        return error.message
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)
