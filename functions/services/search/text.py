"""Text analysis shared by indexing and querying: words, English stems, prefixes, edit distance, WebVTT cues.

Indexing and querying must analyse text identically, so both go through this module: a word is a run of letters
and digits (apostrophes dropped, so "don't" is "dont"), case-folded; English stop words are left out (as
Elasticsearch's English analyzer does); a term is the Snowball English stem of a word.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
APOSTROPHES = re.compile(r"['\u2019\u02bc]")
MAX_WORD = 40  # longer runs (hashes, URLs glued together) are not words anyone types
MAX_PREFIX = 6  # prefix entries stop here (as Elasticsearch's index_prefixes, 2..5); longer typed prefixes are checked
# against the words themselves
# Elasticsearch's English stop words: too common to tell documents apart.
STOP_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "will",
        "with",
    }
)


def words(text: str) -> list[str]:
    """The words of a text, in order, case-folded, stop words left out."""
    folded = APOSTROPHES.sub("", unicodedata.normalize("NFKC", text or "")).casefold()
    return [w for w in WORD.findall(folded) if len(w) <= MAX_WORD and w not in STOP_WORDS]


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer  # on first use: its package imports every language (tens of ms of a cold start)

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer().stemWord(word)


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def prefixes(word: str) -> list[str]:
    """The prefix entries a word is listed under: its first 1..MAX_PREFIX characters."""
    return [word[:n] for n in range(1, min(len(word), MAX_PREFIX) + 1)]


def prefix_key(typed: str) -> str:
    """The prefix entry that holds every word starting with `typed`."""
    return typed[:MAX_PREFIX]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), or limit + 1 once it is certainly over limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


def auto_fuzziness(term: str) -> int:
    """Elasticsearch's `fuzziness: auto`: exact up to 2 characters, one edit up to 5, two beyond."""
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


# ---------------------------------------------------------------- WebVTT

TIMING = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})\s+-->\s+((?:\d+:)?\d{1,2}:\d{2}[.,]\d{3})")
TAG = re.compile(r"<[^>]*>")
CUES_PER_FRAGMENT = 5  # as TubeArchivist groups subtitle cues into searchable lines


@dataclass(frozen=True)
class Fragment:
    """A few consecutive cues of a subtitle track: the unit `full:` finds, with where it is in the video."""

    index: int  # 1-based, in track order
    start: str  # HH:MM:SS.mmm
    end: str
    line: str


def _timestamp(value: str) -> str:
    parts = value.replace(",", ".").split(":")
    if len(parts) == 2:
        parts.insert(0, "0")
    hours, minutes, seconds = parts
    return f"{int(hours):02d}:{int(minutes):02d}:{seconds}"


def cues(vtt_text: str) -> list[tuple[str, str, str]]:
    """(start, end, text) of each cue with text; markup removed, and the lines automatic captions repeat from the
    cue before (their rolling display) dropped."""
    result: list[tuple[str, str, str]] = []
    shown: list[str] = []
    lines = (vtt_text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        timing = TIMING.match(lines[i])
        i += 1
        if not timing:
            continue
        texts = []
        while i < len(lines) and lines[i].strip():
            texts.append(" ".join(TAG.sub("", lines[i]).split()))
            i += 1
        fresh = [t for t in texts if t and t not in shown]
        if texts:
            shown = [t for t in texts if t]
        if fresh:
            result.append((_timestamp(timing[1]), _timestamp(timing[2]), " ".join(fresh)))
    return result


def fragments(vtt_text: str) -> list[Fragment]:
    """The cues of a WebVTT text grouped into fragments of CUES_PER_FRAGMENT."""
    found = cues(vtt_text)
    result: list[Fragment] = []
    for n in range(0, len(found), CUES_PER_FRAGMENT):
        group = found[n : n + CUES_PER_FRAGMENT]
        result.append(Fragment(len(result) + 1, group[0][0], group[-1][1], " ".join(text for _, _, text in group)))
    return result
