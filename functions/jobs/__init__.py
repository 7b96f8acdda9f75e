"""Event-driven functions: one blueprint a job, its handlers registered in app.py."""
