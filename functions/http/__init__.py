"""The web layer: the only code that imports Chalice. The router, errors-to-JSON, the OpenAPI document, and the
routes of the TubeArchivist API (ta/) and of the Invidious API (invidious/)."""
