"""GET /api/search/?query=: TubeArchivist's search syntax over the archive, as its clients read the answer."""

import boto3
import pytest

from functions.services import search
from tests.conftest import token_headers
from tests.factories import make_channel, make_playlist, make_video, video_id
from tests.search.dynamo_calls import counting

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
welcome back to the channel

00:00:04.000 --> 00:00:09.500
today we tune the guitar by ear

00:00:09.500 --> 00:00:12.000
then we play a chord

00:00:12.000 --> 00:00:15.000
and another

00:00:15.000 --> 00:00:18.000
and one more

00:01:00.000 --> 00:01:03.000
general kenobi says hello there
"""
EN = [{"ext": "vtt", "lang": "en", "name": "English", "source": "user"}]


@pytest.fixture
def archive(aws):
    make_channel(1, name="Guitar Lessons Daily", subscribed=True)
    make_channel(2, name="Cooking With Ana")
    make_video(1, title="Learn guitar chords in ten minutes", tags=["music", "lesson"], subtitles=EN)
    make_video(2, title="Guitar solo practice routine", tags=["guitar", "practice"])
    make_video(3, channel=2, title="Pasta carbonara recipe", tags=["food", "guitar"])
    make_video(4, channel=2, title="Running shoes review", tags=["sport"], active=False)
    make_playlist(1, [1, 2], name="Guitar favourites")
    search.index_subtitles(video_id(1), "en", VTT)


def found(client, user, query: str, path: str = "/api/search/") -> dict:
    response = client.http.get(f"{path}?query={query}", headers=token_headers(user))
    assert response.status_code == 200, response.body
    return response.json_body


def ids(body: dict, kind: str = "video_results") -> list[str]:
    key = {"video_results": "youtube_id", "channel_results": "channel_id", "playlist_results": "playlist_id"}[kind]
    return [hit[key] for hit in body["results"][kind]]


def test_answer_has_every_kind_and_the_query_type(client, admin, archive):
    body = found(client, admin, "guitar")
    assert set(body) == {"results", "queryType"}
    assert set(body["results"]) == {"video_results", "channel_results", "playlist_results", "fulltext_results"}
    assert body["queryType"] == "simple"
    for kind in ("video", "channel", "playlist", "full"):
        assert found(client, admin, f"{kind}:guitar")["queryType"] == kind


def test_simple_search_reads_titles_and_names(client, admin, archive):
    body = found(client, admin, "guitar")
    assert sorted(ids(body)) == [video_id(1), video_id(2)]  # video 3 has it as a tag only
    assert ids(body, "channel_results") == ["UC0000000000000000000001"]
    assert ids(body, "playlist_results") == ["PL0000000000000001"]
    assert body["results"]["fulltext_results"] == []


def test_results_are_the_archive_objects_with_index_and_score(client, admin, archive):
    body = found(client, admin, "guitar")
    video = body["results"]["video_results"][0]
    detail = client.http.get(f"/api/video/{video['youtube_id']}/", headers=token_headers(admin)).json_body["data"]
    assert {k: v for k, v in video.items() if not k.startswith("_")} == detail
    assert video["_index"] == "ta_video" and video["_score"] > 0
    channel = body["results"]["channel_results"][0]
    assert channel["channel_name"] == "Guitar Lessons Daily" and channel["_index"] == "ta_channel"
    playlist = body["results"]["playlist_results"][0]
    assert playlist["playlist_name"] == "Guitar favourites" and playlist["_index"] == "ta_playlist"
    assert [e["youtube_id"] for e in playlist["playlist_entries"]] == [video_id(1), video_id(2)]


def test_video_search_ranks_title_over_tags(client, admin, archive):
    body = found(client, admin, "video:guitar")
    assert ids(body) == [video_id(2), video_id(1), video_id(3)]  # title and tag, title, tag only
    scores = [hit["_score"] for hit in body["results"]["video_results"]]
    assert scores == sorted(scores, reverse=True)


def test_every_word_must_match(client, admin, archive):
    assert ids(found(client, admin, "guitar chords")) == [video_id(1)]
    assert ids(found(client, admin, "guitar carbonara")) == []


def test_case_does_not_matter(client, admin, archive):
    assert ids(found(client, admin, "GUITAR Chords")) == [video_id(1)]


def test_last_word_is_a_prefix(client, admin, archive):
    assert sorted(ids(found(client, admin, "guita"))) == [video_id(1), video_id(2)]
    assert ids(found(client, admin, "guitar cho")) == [video_id(1)]
    assert ids(found(client, admin, "video:practi")) == [video_id(2)]
    assert ids(found(client, admin, "video:practic")) == [video_id(2)]  # longer than a prefix entry: checked
    assert ids(found(client, admin, "video:practix")) == []
    assert ids(found(client, admin, "gui chords")) == []  # only the last word is a prefix


def test_english_stems_match(client, admin, archive):
    assert ids(found(client, admin, "video:runs")) == [video_id(4)]
    assert ids(found(client, admin, "video:chord")) == [video_id(1)]
    assert ids(found(client, admin, "video:practicing")) == [video_id(2)]


def test_fuzzy_only_when_asked(client, admin, archive):
    assert ids(found(client, admin, "video:guitra carbonara")) == []
    assert ids(found(client, admin, "video:guitra carbonara fuzzy:1")) == [video_id(3)]
    assert ids(found(client, admin, "video:gutiar carbonara fuzzy:auto")) == [video_id(3)]
    assert ids(found(client, admin, "video:guitra carbonara fuzzy:no")) == []
    assert ids(found(client, admin, "video:gaitur carbonara fuzzy:1")) == []  # two edits away


def test_video_filters(client, admin, archive):
    assert ids(found(client, admin, "video:guitar channel:cooking")) == [video_id(3)]
    assert sorted(ids(found(client, admin, "video:guitar channel:guitar lessons"))) == [video_id(1), video_id(2)]
    assert ids(found(client, admin, "video:running active:no")) == [video_id(4)]
    assert ids(found(client, admin, "video:running active:yes")) == []
    assert ids(found(client, admin, "video: channel:cooking with")) == [video_id(4), video_id(3)]  # newest first


def test_a_channel_filter_without_words_merges_the_named_channels_newest_first(client, admin, archive):
    make_channel(3, name="Cooking Daily")
    make_video(5, channel=3, title="Bread at home", published="2024-01-20")
    assert ids(found(client, admin, "video: channel:daily")) == [video_id(5), video_id(2), video_id(1)]
    assert ids(found(client, admin, "video: channel:nosuchchannel")) == []


def test_channel_and_playlist_filters(client, admin, archive):
    assert ids(found(client, admin, "channel:guitar subscribed:yes"), "channel_results") == ["UC0000000000000000000001"]
    assert ids(found(client, admin, "channel:guitar subscribed:no"), "channel_results") == []
    assert ids(found(client, admin, "channel: subscribed:no"), "channel_results") == ["UC0000000000000000000002"]
    assert ids(found(client, admin, "playlist:favourites active:yes"), "playlist_results") == ["PL0000000000000001"]
    assert ids(found(client, admin, "playlist:favourites active:no"), "playlist_results") == []


def test_full_text_says_where_the_words_are(client, admin, archive):
    (hit,) = found(client, admin, "full:tune guitar")["results"]["fulltext_results"]
    assert hit["youtube_id"] == video_id(1)
    assert hit["title"] == "Learn guitar chords in ten minutes"
    assert (
        hit["subtitle_line"]
        == "welcome back to the channel today we tune the guitar by ear then we play a chord and another and one more"
    )
    assert (hit["subtitle_start"], hit["subtitle_end"], hit["subtitle_index"]) == ("00:00:01.000", "00:00:18.000", 1)
    assert (hit["subtitle_lang"], hit["subtitle_source"]) == ("en", "user")
    assert hit["subtitle_channel"] == "Guitar Lessons Daily"
    assert hit["subtitle_channel_id"] == "UC0000000000000000000001"
    assert hit["subtitle_fragment_id"] == f"{video_id(1)}-en-1"
    assert hit["vid_thumb_url"] == f"/cache/videos/v/{video_id(1)}.jpg"
    assert hit["_index"] == "ta_subtitle"
    (second,) = found(client, admin, "full:kenobi")["results"]["fulltext_results"]
    assert (second["subtitle_index"], second["subtitle_start"]) == (2, "00:01:00.000")


def test_full_text_ranks_lines_with_more_of_the_words_first(client, admin, archive):
    hits = found(client, admin, "full:kenobi guitar")["results"]["fulltext_results"]
    assert [h["subtitle_index"] for h in hits] == [1, 2] or [h["subtitle_index"] for h in hits] == [2, 1]
    assert found(client, admin, "full:kenobi hello")["results"]["fulltext_results"][0]["subtitle_index"] == 2


def test_full_text_filters(client, admin, archive):
    assert len(found(client, admin, "full:kenobi lang:en")["results"]["fulltext_results"]) == 1
    assert found(client, admin, "full:kenobi lang:de")["results"]["fulltext_results"] == []
    assert found(client, admin, "full:kenobi source:auto")["results"]["fulltext_results"] == []
    assert len(found(client, admin, "full:kenobi source:user")["results"]["fulltext_results"]) == 1
    assert found(client, admin, "full:kenobi channel:cooking")["results"]["fulltext_results"] == []
    assert len(found(client, admin, "full:kenobi channel:guitar")["results"]["fulltext_results"]) == 1


def test_subtitles_indexed_again_replace_their_lines(client, admin, archive):
    search.index_subtitles(video_id(1), "en", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nonly this now\n")
    assert found(client, admin, "full:kenobi")["results"]["fulltext_results"] == []
    (hit,) = found(client, admin, "full:only")["results"]["fulltext_results"]
    assert hit["subtitle_line"] == "only this now"


def test_at_most_thirty_per_kind(client, admin, aws):
    make_channel(1)
    for n in range(35):
        make_video(n, title=f"Drum groove number {n}")
    body = found(client, admin, "drum")
    assert len(body["results"]["video_results"]) == 30
    assert len(found(client, admin, "video:groo")["results"]["video_results"]) == 30


def test_deleted_items_are_not_found(client, admin, archive):
    headers = token_headers(admin)
    assert client.http.delete(f"/api/video/{video_id(1)}/", headers=headers).status_code == 200
    assert video_id(1) not in ids(found(client, admin, "guitar"))
    assert found(client, admin, "full:kenobi")["results"]["fulltext_results"] == []
    assert client.http.delete("/api/channel/UC0000000000000000000002/", headers=headers).status_code in (200, 204)
    assert ids(found(client, admin, "channel:cooking"), "channel_results") == []
    assert ids(found(client, admin, "video:carbonara")) == []


def test_renamed_video_is_found_by_its_new_title_only(client, admin, archive):
    make_video(2, title="Ukulele strumming basics", tags=["practice"])
    assert ids(found(client, admin, "ukulele")) == [video_id(2)]
    assert video_id(2) not in ids(found(client, admin, "video:solo"))


def test_imported_subtitles_are_searchable_and_stored(client, admin, aws):
    from functions.services import importer
    from functions.storage import s3

    document = {
        "channels": [{"channel_id": "UC0000000000000000000009", "channel_name": "Imported"}],
        "videos": [
            {
                "youtube_id": "imported001",
                "title": "An imported talk",
                "published": "2024-02-03",
                "date_downloaded": 1_700_000_000,
                "channel_id": "UC0000000000000000000009",
                "subtitles": [{"lang": "de", "source": "auto", "vtt": VTT}],
            }
        ],
    }
    importer.import_document(document)
    (hit,) = found(client, admin, "full:kenobi lang:de source:auto")["results"]["fulltext_results"]
    assert hit["youtube_id"] == "imported001" and hit["subtitle_channel"] == "Imported"
    assert ids(found(client, admin, "talk")) == ["imported001"]
    key = s3.subtitle_key("UC0000000000000000000009", "imported001", "de")
    stored = boto3.client("s3").get_object(Bucket=aws["MediaBucket"], Key=key)["Body"].read().decode()
    assert stored == VTT


def test_two_word_search_costs_a_few_dynamodb_calls(client, admin, archive):
    headers = token_headers(admin)
    client.http.get("/api/search/?query=warm", headers=headers)
    with counting() as calls:
        response = client.http.get("/api/search/?query=video:guitar chords", headers=headers)
    assert response.status_code == 200
    assert sum(calls.values()) <= 5, calls
    assert "Scan" not in calls


def test_a_search_of_every_kind_reads_no_playlist_entries(client, admin, archive):
    headers = token_headers(admin)
    client.http.get("/api/search/?query=warm", headers=headers)
    with counting() as calls:
        body = client.http.get("/api/search/?query=guitar favourites", headers=headers).json_body
    (playlist,) = body["results"]["playlist_results"]
    assert [e["downloaded"] for e in playlist["playlist_entries"]] == [True, True]
    assert sum(calls.values()) <= 5 and "Query" not in calls, calls


def test_served_without_trailing_slash(client, admin, archive):
    assert ids(found(client, admin, "guitar chords", path="/api/search")) == [video_id(1)]


def test_needs_a_user(client, archive):
    response = client.http.get("/api/search/?query=guitar")
    assert response.status_code == 403
    assert response.json_body == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/search/",
        "/api/search/?query=",
        "/api/search/?query=video:x%20subscribed:yes",
        "/api/search/?query=guitar%20fuzzy:7",
        "/api/search/?query=full:",
    ],
)
def test_bad_queries_are_400(client, admin, archive, path):
    response = client.http.get(path, headers=token_headers(admin))
    assert response.status_code == 400
    assert "error" in response.json_body


def test_only_stop_words_find_nothing(client, admin, archive):
    body = found(client, admin, "the")
    assert all(not hits for hits in body["results"].values())
