"""The search syntax parser (functions.services.search.query): TubeArchivist's keywords and filters, and what it
refuses."""

import pytest

from functions.core.errors import BadRequest
from functions.services.search.query import parse


def test_plain_words_are_a_simple_search():
    query = parse("Learn Python")
    assert (query.query_type, query.text) == ("simple", "learn python")
    assert query.fuzziness == 0 and query.channel is None and query.active is None


@pytest.mark.parametrize("kind", ["video", "channel", "playlist", "full"])
def test_first_word_names_the_search_type(kind):
    query = parse(f"{kind}:linux kernel")
    assert (query.query_type, query.text) == (kind, "linux kernel")


def test_keyword_alone_then_words():
    query = parse("VIDEO: Linux")
    assert (query.query_type, query.text) == ("video", "linux")


def test_filter_values_continue_until_the_next_filter():
    query = parse("video:python channel:corey schafer active:yes")
    assert query.text == "python"
    assert query.channel == "corey schafer"
    assert query.active is True


def test_words_after_a_filter_belong_to_it_as_in_tubearchivist():
    assert parse("video: channel:linus tech tips").channel == "linus tech tips"
    assert parse("video: channel:linus tech tips").text == ""


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("true", True), ("no", False), ("false", False)])
def test_flags(value, expected):
    assert parse(f"channel:news subscribed:{value}").subscribed is expected
    assert parse(f"playlist:news active:{value}").active is expected


@pytest.mark.parametrize(("value", "expected"), [("no", 0), ("0", 0), ("1", 1), ("2", 2), ("auto", "auto")])
def test_fuzziness(value, expected):
    assert parse(f"guitar fuzzy:{value}").fuzziness == expected


def test_full_text_filters():
    query = parse("full:hello world lang:en source:auto channel:some channel")
    assert (query.query_type, query.text, query.lang, query.source, query.channel) == (
        "full",
        "hello world",
        "en",
        "auto",
        "some channel",
    )


def test_other_colons_are_plain_text():
    query = parse("meeting at 10:30 https://example.com")
    assert query.query_type == "simple"
    assert query.text == "meeting at 10:30 https://example.com"


@pytest.mark.parametrize(
    "raw",
    [
        None,
        "",
        "   ",
        "subscribed:yes",  # a filter of channel and playlist searches, not of a simple one
        "video:x subscribed:yes",
        "channel:x lang:en",
        "full:x active:yes",
        "video:x active:maybe",
        "video:x fuzzy:7",
        "full:x source:robot",
        "full:x lang:e/n",
        "video:x channel:",
        "video:x active:yes active:no",
        "full:",
        "full: lang:en",
        "x" * 501,
    ],
)
def test_bad_queries_are_refused(raw):
    with pytest.raises(BadRequest):
        parse(raw)


def test_typed_search_may_have_filters_only():
    query = parse("channel: subscribed:yes")
    assert (query.query_type, query.text, query.subscribed) == ("channel", "", True)
