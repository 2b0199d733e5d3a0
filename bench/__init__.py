"""Benchmark harness of Fédé: a national-scale dataset and a load run on key pages.

``python -m bench.run`` (``make bench``) generates the dataset, serves the app with
gunicorn under production settings, loads every key page from a second process and
writes ``docs/benchmarks/<date>.md`` and ``.json``. See ``docs/benchmarks.md``.
"""
