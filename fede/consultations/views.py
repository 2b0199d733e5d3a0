"""Views of the app (thin: parse, call one service, render)."""
