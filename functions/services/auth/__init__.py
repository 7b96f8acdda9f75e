"""TubeArchivist's authentication: `users` (accounts, passwords, token and session hashes), `sessions` (who a
request is, from its token or session cookie), `viewer` (the authenticated user of one request)."""
