"""pytest plugin loaded first (`-p fede.pytest_env`): test settings before Django loads."""

import os

os.environ.setdefault("FEDE_TESTING", "1")
