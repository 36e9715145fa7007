"""確認・統計: the supervisor's work area, the review (確認) and the statistics (統計) as tabs."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from setacare_desktop.ui.page import Page

TAB_REVIEW = "確認"
TAB_STATS = "統計"


class ReviewArea(Page):
    """Two pages as tabs; each page is activated when its tab is shown."""

    def __init__(self, review: Page, stats: Page, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.review = review
        self.stats = stats
        self.tabs = QTabWidget(self)
        self.tabs.addTab(review, TAB_REVIEW)
        self.tabs.addTab(stats, TAB_STATS)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(lambda _index: self.activate())

    def activate(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, Page):
            page.activate()
