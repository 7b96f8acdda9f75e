"""One naming scheme for the app's loggers: every one is under `ytarchive`, the logger the jobs' powertools Logger
configures (functions/jobs/powertools.py), so each line a job writes is JSON with the invocation's request id."""

import logging

SERVICE = "ytarchive"


def logger(module: str) -> logging.Logger:
    """The logger of a module, named from its `__name__`: functions.jobs.download -> ytarchive.jobs.download."""
    return logging.getLogger(f"{SERVICE}.{module.removeprefix('functions.')}")
