"""The Invidious authenticated API (`/api/v1/auth/...`): tokens, pages, and the user's resources."""
