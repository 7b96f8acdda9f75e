"""The Invidious API's query strings and answers (`/api/v1/...`)."""

from typing import Annotated

from msgspec import Meta, Struct


class ResultsPage(Struct):
    """`page` (from 1) of `max_results` items; no `max_results`: the user's preference."""

    page: Annotated[int, Meta(ge=1)] = 1
    max_results: Annotated[int, Meta(ge=0)] | None = None


class PlaylistPage(Struct):
    """`page` of a playlist's videos, 100 a page; 0 is the first page too."""

    page: Annotated[int, Meta(ge=0)] = 1


# ---------------------------------------------------------------- answers: a video and its media
# Field names and JSON types are Invidious' (clients parse `itag`, `clen`, `bitrate` from strings).


class Thumbnail(Struct):
    quality: str
    url: str
    width: int
    height: int


class Image(Struct):
    """An author's avatar or banner at one size."""

    url: str
    width: int
    height: int


class FormatStream(Struct):
    """A muxed file: every value a string, as Clipious and invidtui read them."""

    url: str
    itag: str
    type: str
    quality: str
    bitrate: str
    container: str
    encoding: str
    qualityLabel: str
    resolution: str
    size: str
    clen: str


class AdaptiveFormat(Struct, omit_defaults=True):
    """One stream of a DASH rendition: `init` and `index` are "start-end" byte ranges; video streams carry
    `fps`, `size`, `resolution`, `qualityLabel`, audio streams `audioQuality`, `audioSampleRate`, `audioChannels`."""

    init: str
    index: str
    bitrate: str
    url: str
    itag: str
    type: str
    clen: str
    lmt: str
    projectionType: str
    container: str
    encoding: str
    fps: int | None = None
    size: str | None = None
    resolution: str | None = None
    qualityLabel: str | None = None
    audioQuality: str | None = None
    audioSampleRate: int | None = None
    audioChannels: int | None = None


class Caption(Struct):
    label: str
    language_code: str
    url: str


class RecommendedVideo(Struct):
    videoId: str
    title: str
    videoThumbnails: list[Thumbnail]
    author: str
    authorUrl: str
    authorId: str
    authorVerified: bool
    lengthSeconds: int
    viewCountText: str
    viewCount: int


class Video(Struct):
    """GET /api/v1/videos/:id."""

    type: str
    title: str
    videoId: str
    videoThumbnails: list[Thumbnail]
    storyboards: list[dict]
    description: str
    descriptionHtml: str
    published: int
    publishedText: str
    keywords: list[str]
    viewCount: int
    likeCount: int
    dislikeCount: int
    paid: bool
    premium: bool
    isFamilyFriendly: bool
    allowedRegions: list[str]
    genre: str
    genreUrl: str | None
    author: str
    authorId: str
    authorUrl: str
    authorVerified: bool
    authorThumbnails: list[Image]
    subCountText: str
    lengthSeconds: int
    allowRatings: bool
    rating: float
    isListed: bool
    liveNow: bool
    isPostLiveDvr: bool
    isUpcoming: bool
    dashUrl: str
    adaptiveFormats: list[AdaptiveFormat]
    formatStreams: list[FormatStream]
    captions: list[Caption]
    recommendedVideos: list[RecommendedVideo]
