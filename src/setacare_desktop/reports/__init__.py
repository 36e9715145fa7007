"""Printed documents (reportlab): the liaison sheet, intake record, day list, statistics.

Built by the liaison-sheet issue; the package exists now so the layer contracts cover it.
"""
