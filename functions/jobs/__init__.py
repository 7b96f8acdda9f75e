"""Event-driven functions: a module a job, run with the event its queue or schedule sends (functions.jobs.triggers
declares which, and imports the job when its event comes)."""
