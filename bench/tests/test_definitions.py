"""The benchmark writes members with the application's own field definitions."""

from bench import importbench
from fede.organization.fields import MEMBER_IMPORT_FIELDS
from fede.organization.models import Member


def test_the_benchmark_import_file_uses_the_import_columns():
    assert set(importbench.HEADER) <= set(MEMBER_IMPORT_FIELDS)


def test_the_benchmark_copy_writes_real_member_fields():
    import inspect

    from bench.datasets import organization

    source = inspect.getsource(organization)
    fields = {f.attname for f in Member._meta.concrete_fields}
    start = source.index("ctx.copy_timed(\n        Member,")
    block = source[start : source.index("member_rows()", start)]
    names = [line.strip().strip('",') for line in block.splitlines()[3:] if '"' in line]
    assert names and set(names) <= fields, set(names) - fields
