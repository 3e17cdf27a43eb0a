import pytest

# The shared checks hold the tests' assertions: let pytest show the compared values when one fails.
pytest.register_assert_rewrite("tests.engine.lifecycle_checks")
