"""Guard against a PySide6 release that leaks references to None/True (seen with 6.12.0 on
CPython 3.11: the app aborted with "Fatal Python error: none_dealloc" after enough typing)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal()


def test_void_calls_and_emits_keep_none_and_true_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    emitter = _Emitter()
    emitter.fired.connect(lambda: None)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(500):
        label.setText("x")
        emitter.fired.emit()
    # A sound binding leaves both counts where they were (give or take a few references
    # held by the interpreter itself); the defective one takes 500 or 1000 away.
    assert sys.getrefcount(None) - none_before > -50
    assert sys.getrefcount(True) - true_before > -50
