"""The download queue: `intake` (the API: add, list, change, remove, start), `worker` (the download function:
fill in, expand, lease, progress, failure, finish), `items` (keys, counters and reads both share)."""
