"""A web page on another local origin, in Chromium, against the local run's moto endpoint: it can neither read
a table nor write one, while a presigned media URL (what the API's /media/ redirects to) still loads in a page."""

import http.server
import threading

import pytest

from tests.invidious.test_browser import TIMEOUT_MS, browser  # noqa: F401 (the fixture)
from tests.test_local_store import BUCKET, PREFIX, Run

ATTACK = """
async ({moto, image, users, videos}) => {
  const results = {};
  const scan = JSON.stringify({TableName: users});
  try {  // what the issue's page did: a Scan with the target header (a preflight first)
    const answer = await fetch(moto, {method: "POST", body: scan, headers: {
      "X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0"}});
    results.preflighted = await answer.text();
  } catch (error) { results.preflighted = "blocked: " + error.name; }
  try {  // a simple request: no preflight, the answer still needs CORS to be read
    const answer = await fetch(moto + "?Action=ListTables", {method: "POST", body: scan});
    results.simple = await answer.text();
  } catch (error) { results.simple = "blocked: " + error.name; }
  // A write in no-cors mode: the page cannot read the answer, but must not change anything either.
  const put = JSON.stringify({TableName: videos, Item: {youtube_id: {S: "written-by-a-page"}}});
  const blind = await fetch(moto, {method: "POST", mode: "no-cors", body: put});
  results.blind = blind.type;
  results.image = await new Promise(done => {
    const img = new Image();
    img.onload = () => done("loaded " + img.naturalWidth);
    img.onerror = () => done("failed");
    img.src = image;
  });
  return results;
}
"""

# A 1x1 GIF: something an <img> can decode.
PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")


@pytest.fixture
def other_origin():
    """A page server on its own port: another origin than the moto endpoint's."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>elsewhere</title>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_a_page_on_another_origin_cannot_read_or_write_moto(browser, other_origin, tmp_path):  # noqa: F811
    run = Run(tmp_path)
    try:
        run.dynamodb.put_item(TableName=PREFIX + "users", Item={"username": {"S": "admin"}, "api_token": {"S": "t"}})
        run.s3.put_object(Bucket=BUCKET, Key="cache/videos/v/vid00000001.jpg", Body=PIXEL, ContentType="image/gif")
        image = run.client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": BUCKET, "Key": "cache/videos/v/vid00000001.jpg"}
        )
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(other_origin)
        results = page.evaluate(
            ATTACK, {"moto": run.url + "/", "image": image, "users": PREFIX + "users", "videos": PREFIX + "videos"}
        )
        page.close()
        assert results["preflighted"] == "blocked: TypeError", results
        assert results["simple"] == "blocked: TypeError", results
        assert results["blind"] == "opaque"
        assert results["image"] == "loaded 1", results  # media in pages keep working
        assert run.dynamodb.scan(TableName=PREFIX + "videos")["Items"] == []  # the blind write was refused
    finally:
        run.crash()
