"""Settings of the benchmark: the production settings, with static files in a folder of
the run's own (``FEDE_BENCH_STATIC_ROOT``) so ``collectstatic`` leaves ``var/`` alone."""

import os

from fede.settings import *  # noqa: F403

if os.environ.get("FEDE_BENCH_STATIC_ROOT"):
    STATIC_ROOT = os.environ["FEDE_BENCH_STATIC_ROOT"]
