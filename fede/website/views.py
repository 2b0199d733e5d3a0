"""Views of the app (thin: services write, selectors read)."""
