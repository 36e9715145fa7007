"""The つなぎ先 directory's own windows: the import with its preview (``import_dialog``) and the
editors of organisations and locations (``place_editor``)."""
