"""SetaCare Desktop: the welfare consultation window's desktop application."""

__version__ = "0.1.0"
