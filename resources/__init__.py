"""Files shipped with the program (icons, help text), found through ``importlib.resources``."""
