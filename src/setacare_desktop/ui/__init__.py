"""The window: Qt widgets, item models and dialogs.

Widgets call the services only (``setacare_desktop.services``); they never open a session or write
SQL (an import-linter contract enforces this). ``application.run`` is the entry point.
"""
