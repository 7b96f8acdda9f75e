"""The Invidious API's routes and web pages (`/api/v1/...`, `/login`, `/authorize_token`)."""
