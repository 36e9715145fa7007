"""The idle lock of a shared counter PC: the controller (``controller.IdleLock``) and the lock
screen with its login (``screen.LockScreen``)."""

from setacare_desktop.ui.lock.controller import LOCKED_TITLE, IdleLock
from setacare_desktop.ui.lock.screen import LockScreen

__all__ = ["LOCKED_TITLE", "IdleLock", "LockScreen"]
