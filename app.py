"""Chalice entry point: the API function, with one blueprint per endpoint group, and the event handlers."""

from chalice import Chalice

from functions.api import ROUTERS
from functions.api.errors import json_errors

app = Chalice(app_name="ytarchive")
app.register_middleware(json_errors, "http")
for router in ROUTERS:
    app.register_blueprint(router.blueprint)
