"""Chalice entry point: the API function, with one blueprint per endpoint group, and the event handlers."""

from functions.http import missing
from functions.http.addresses import public_base
from functions.http.cors import ta_cors
from functions.http.errors import json_errors
from functions.http.front_door import FrontDoorChalice
from functions.http.routes import ROUTERS
from functions.jobs import triggers

app = FrontDoorChalice(app_name="ytarchive")  # REST or HTTP API events (infra/merge.py)
app.register_middleware(ta_cors, "http")  # outermost: error answers of TA paths carry CORS headers too
app.register_middleware(json_errors, "http")
app.register_middleware(public_base, "http")
for router in ROUTERS:
    app.register_blueprint(router.blueprint)
app.register_blueprint(triggers.blueprint)  # the job functions: their queues and schedules, not their code


@app.lambda_function(name="youtube_lookup")
def youtube_lookup(event, context):
    """yt-dlp lookups the API waits for (cookie check, channel handles): functions/jobs/lookup.py."""
    from functions.jobs import lookup  # here: the API function shares this module and never runs it

    return lookup.handle(event)


# Last, after every route: 404 for the paths none serves (not the gateway's 403 quoting the caller's token).
missing.register(app)
