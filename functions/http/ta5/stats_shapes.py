"""How the statistics (/api/stats/*, functions.services.stats_render) look in v0.5: its serializers name the
same keys, but a bucket no item falls in is null where v0.4's renderer shows zeros (v0.5 answers what its
aggregation found), and the biggest channels' names are title-cased as v0.5's view does."""


def _empty_to_null(answer: dict, keys, empty) -> dict:
    return {key: (None if key in keys and empty(value) else value) for key, value in answer.items()}


def videos(answer: dict) -> dict:
    buckets = [key for key in answer if key.startswith(("type_", "active_"))]
    return _empty_to_null(answer, buckets, lambda bucket: not bucket["doc_count"])


def items(answer: dict) -> dict:
    """Channels and playlists: the active and subscribed buckets."""
    return _empty_to_null(answer, [key for key in answer if key != "doc_count"], lambda count: not count)


def queue(answer: dict) -> dict:
    return _empty_to_null(answer, list(answer), lambda count: not count)


def watch(answer: dict) -> dict:
    return _empty_to_null(answer, ("watched", "unwatched"), lambda share: not share["items"])


def biggest_channels(answer: list[dict]) -> list[dict]:
    return [{**row, "name": row["name"].title()} for row in answer]
