"""Root pytest configuration: nbval glue for the notebooks.

nbval waits at most 5 s for each output message after a cell finishes (hard-coded; nbval issues
#136 and #231). On a loaded 2-core machine a large figure can take longer, so allow 60 s.
"""

NBVAL_OUTPUT_TIMEOUT = 60


def pytest_collection_modifyitems(items):
    for item in items:
        if hasattr(item, "output_timeout"):  # nbval's IPyNbCell
            item.output_timeout = NBVAL_OUTPUT_TIMEOUT
