"""Chalice entry point: the API function, with one blueprint per endpoint group, and the event handlers."""

from functions.http import missing
from functions.http.addresses import public_base
from functions.http.cors import ta_cors
from functions.http.errors import json_errors
from functions.http.front_door import FrontDoorChalice
from functions.http.routes import ROUTERS
from functions.jobs import download as download_job
from functions.jobs import lookup as lookup_job
from functions.jobs import refresh as refresh_job
from functions.jobs import rescan as rescan_job
from functions.jobs import snapshot as snapshot_job

app = FrontDoorChalice(app_name="ytarchive")  # REST or HTTP API events (infra/merge.py)
app.register_middleware(ta_cors, "http")  # outermost: error answers of TA paths carry CORS headers too
app.register_middleware(json_errors, "http")
app.register_middleware(public_base, "http")
for router in ROUTERS:
    app.register_blueprint(router.blueprint)
app.register_blueprint(snapshot_job.blueprint)  # the snapshot queue consumer and the daily snapshot
app.register_blueprint(download_job.blueprint)  # the download queue consumer
app.register_blueprint(rescan_job.blueprint)  # the subscriptions rescan schedule
app.register_blueprint(refresh_job.blueprint)  # the refresh queue consumer (refreshes, requested rescans)


@app.lambda_function(name="youtube_lookup")
def youtube_lookup(event, context):
    """yt-dlp lookups the API waits for (cookie check, channel handles): functions/jobs/lookup.py."""
    return lookup_job.handle(event)


# Last, after every route: 404 for the paths none serves (not the gateway's 403 quoting the caller's token).
missing.register(app)
