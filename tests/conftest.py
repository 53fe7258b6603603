"""Test configuration: the fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.clock",
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.intake",
    "tests.fixtures.browser",
]
