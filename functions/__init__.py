"""Serverless YouTube archive: the code that runs in Lambda."""
