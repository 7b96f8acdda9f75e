"""The Invidious API's query strings, request bodies and answers (`/api/v1/...`)."""

from typing import Annotated, ClassVar

from msgspec import UNSET, Meta, Struct, UnsetType, field


class ResultsPage(Struct):
    """`page` (from 1) of `max_results` items; no `max_results`: the user's preference."""

    page: Annotated[int, Meta(ge=1)] = 1
    max_results: Annotated[int, Meta(ge=0)] | None = None


class PlaylistPage(Struct):
    """`page` of a playlist's videos, 100 a page; 0 is the first page too."""

    page: Annotated[int, Meta(ge=0)] = 1


# ---------------------------------------------------------------- request bodies of /api/v1/auth/


class PlaylistCreate(Struct):
    title: str  # `<` and `>` dropped, cut at 150 bytes (functions.services.invidious.playlists)
    privacy: str  # public, unlisted or private, any case


class PlaylistUpdate(Struct):
    """The fields to change; the others stay. An empty body is a 400, as Invidious answers it."""

    body_required: ClassVar[bool] = True

    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    privacy: str | UnsetType = UNSET


class PlaylistVideoAdd(Struct):
    videoId: str


# Bounds that keep the user's item far below DynamoDB's 400 KB (an oversized update fails there, not in moto).
PrefText = Annotated[str, Meta(max_length=200)]
PrefList = Annotated[list[PrefText], Meta(max_length=20)]
Flag = bool | UnsetType


class PreferencesUpdate(Struct):
    """The preferences a POST changes, each typed as Invidious keeps it; absent ones stay, unknown ones are
    ignored (an empty body is a 400, as Invidious answers it). Their defaults are
    functions.services.invidious.preferences.DEFAULTS."""

    body_required: ClassVar[bool] = True

    annotations: Flag = UNSET
    annotations_subscribed: Flag = UNSET
    autoplay: Flag = UNSET
    captions: PrefList | UnsetType = UNSET
    comments: PrefList | UnsetType = UNSET
    continue_: Flag = field(default=UNSET, name="continue")
    continue_autoplay: Flag = UNSET
    dark_mode: PrefText | UnsetType = UNSET
    latest_only: Flag = UNSET
    listen: Flag = UNSET
    local: Flag = UNSET
    locale: PrefText | UnsetType = UNSET
    max_results: Annotated[int, Meta(ge=0, le=1500)] | UnsetType = UNSET
    notifications_only: Flag = UNSET
    player_style: PrefText | UnsetType = UNSET
    quality: PrefText | UnsetType = UNSET
    default_home: PrefText | UnsetType = UNSET
    feed_menu: PrefList | UnsetType = UNSET
    related_videos: Flag = UNSET
    sort: PrefText | UnsetType = UNSET
    speed: Annotated[float, Meta(ge=0.1, le=16)] | UnsetType = UNSET
    thin_mode: Flag = UNSET
    unseen_only: Flag = UNSET
    video_loop: Flag = UNSET
    volume: Annotated[int, Meta(ge=0, le=100)] | UnsetType = UNSET
    watch_history: Flag = UNSET


class TokenRegister(Struct):
    """A token request, as JSON or as a form (`scopes` then a comma-separated string, `expire` a string)."""

    scopes: list[str] | str
    callbackUrl: str | None = None
    expire: int | str | None = None  # seconds from now, or a unix time


class TokenRevoke(Struct):
    """The session to end; none: the caller's own."""

    session: Annotated[str, Meta(min_length=1, max_length=100)] | UnsetType = UNSET


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
