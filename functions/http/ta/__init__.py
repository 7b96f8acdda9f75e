"""The TubeArchivist API's routes (`/api/...`), one module per resource."""
