"""Text analysis (functions.services.search.text): words, stems, prefixes, edit distance, WebVTT fragments."""

from functions.services.search import text


def test_words_are_case_folded_and_stop_words_dropped():
    assert text.words("The QUICK brown Fox's den, isn't it? École 2024") == [
        "quick",
        "brown",
        "foxs",
        "den",
        "isnt",
        "école",
        "2024",
    ]


def test_terms_are_english_stems():
    assert text.terms("running runs videos generously") == ["run", "run", "video", "generous"]


def test_prefixes_stop_at_the_longest_entry():
    assert text.prefixes("guitar") == ["g", "gu", "gui", "guit", "guita", "guitar"]
    assert text.prefixes("internationalization")[-1] == "intern"
    assert text.prefix_key("internationaliz") == "intern"


def test_edit_distance_counts_swaps_as_one_and_stops_past_the_limit():
    assert text.edit_distance("guitar", "guitar", 2) == 0
    assert text.edit_distance("guitra", "guitar", 2) == 1
    assert text.edit_distance("kitten", "sitting", 3) == 3
    assert text.edit_distance("kitten", "sitting", 1) == 2
    assert text.edit_distance("a", "abcdef", 2) == 3


def test_auto_fuzziness_follows_elasticsearch():
    assert [text.auto_fuzziness(w) for w in ("ab", "abc", "abcde", "abcdef")] == [0, 1, 1, 2]


VTT = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:02.000 align:start position:0%
hello <00:00:01.500><c>there</c>

00:00:02.000 --> 00:00:03.000
hello there
general kenobi

00:00:03.000 --> 00:00:04.000
one

00:00:04.000 --> 00:00:05.000
two

00:00:05.000 --> 00:00:06.000
three

1:00:06.000 --> 1:00:07,500
four
"""


def test_cues_lose_markup_and_rolling_repeats():
    assert text.cues(VTT)[:2] == [
        ("00:00:01.000", "00:00:02.000", "hello there"),
        ("00:00:02.000", "00:00:03.000", "general kenobi"),
    ]
    assert text.cues(VTT)[-1] == ("01:00:06.000", "01:00:07.500", "four")


def test_fragments_group_five_cues_and_say_where_they_are():
    first, second = text.fragments(VTT)
    assert first == text.Fragment(1, "00:00:01.000", "00:00:06.000", "hello there general kenobi one two three")
    assert second == text.Fragment(2, "01:00:06.000", "01:00:07.500", "four")


def test_no_cues_no_fragments():
    assert text.fragments("WEBVTT\n\n") == []
    assert text.fragments("") == []
