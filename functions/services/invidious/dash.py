"""An archived video's DASH rendition as Invidious clients read it: `adaptiveFormats` (FreeTube and Playlet build
their own manifest from its `init`/`index` ranges) and the `dashUrl` manifest (Clipious, Materialious), an MPD
written on request with every stream's absolute signed URL, one `SegmentBase` each (its sidx indexes the rest).

The manifest is served from the signed media path under s3.manifest_key, which names no object: there is no
stored manifest to go stale when the signing key or the public address change.
"""

from xml.sax.saxutils import quoteattr

from functions.core.errors import NotFound
from functions.core.ids import is_video_id
from functions.schemas.invidious import AdaptiveFormat
from functions.services.invidious import links
from functions.storage import db, s3
from functions.storage.models import Video

# YouTube's DASH itags by codec family and height (video) or the audio codec: clients pick streams by itag.
VIDEO_ITAGS = {
    "avc1": ((144, "160"), (240, "133"), (360, "134"), (480, "135"), (720, "136"), (1080, "137"), (1440, "264")),
    "vp09": ((144, "278"), (240, "242"), (360, "243"), (480, "244"), (720, "247"), (1080, "248"), (1440, "271")),
    "av01": ((144, "394"), (240, "395"), (360, "396"), (480, "397"), (720, "398"), (1080, "399"), (1440, "400")),
}
LARGEST_ITAG = {"avc1": "266", "vp09": "313", "av01": "401"}
AUDIO_ITAGS = {"mp4a": "140", "opus": "251"}
ENCODINGS = {"avc1": "h264", "vp09": "vp9", "av01": "av1", "mp4a": "aac", "opus": "opus"}


def _family(codecs: str) -> str:
    return codecs.split(".")[0]


def itag(stream: dict) -> str:
    family = _family(stream["codecs"])
    if stream["kind"] == "audio":
        return AUDIO_ITAGS.get(family, "140")
    height = int(stream["height"])
    tags = VIDEO_ITAGS.get(family, VIDEO_ITAGS["avc1"])
    return next((tag for limit, tag in tags if height <= limit), LARGEST_ITAG.get(family, "266"))


def _fps(stream: dict) -> int:
    numerator, _, denominator = (stream.get("fps") or "0").partition("/")
    return round(int(numerator) / int(denominator or 1)) if numerator.isdigit() else 0


def stream_url(video, stream: dict) -> str:
    return links.file_url(s3.video_dash_key(video, stream["kind"]))


def adaptive_format(video, stream: dict) -> AdaptiveFormat:
    """One stream as Invidious' adaptive format: `init`, `index` as "start-end", and the values Clipious and
    invidtui parse from strings (`itag`, `bitrate`, `clen`, `lmt`) as strings."""
    body = AdaptiveFormat(
        init=stream["init"],
        index=stream["index"],
        bitrate=str(stream["bitrate"]),
        url=stream_url(video, stream),
        itag=itag(stream),
        type=f'{stream["mime"]}; codecs="{stream["codecs"]}"',
        clen=str(stream["clen"]),
        lmt=str(int(video.date_downloaded) * 1_000_000),
        projectionType="RECTANGULAR",
        container="mp4" if stream["kind"] == "video" else "m4a",
        encoding=ENCODINGS.get(_family(stream["codecs"]), _family(stream["codecs"])),
    )
    if stream["kind"] == "video":
        height = int(stream["height"])
        body.fps = _fps(stream)
        body.size = f"{stream['width']}x{height}"
        body.resolution = f"{height}p"
        body.qualityLabel = f"{height}p{body.fps if body.fps > 30 else ''}"
    else:
        body.audioQuality = "AUDIO_QUALITY_MEDIUM"
        body.audioSampleRate = int(stream["sample_rate"])
        body.audioChannels = int(stream["channels"])
    return body


def adaptive_formats(video) -> list[AdaptiveFormat]:
    return [adaptive_format(video, stream) for stream in video.dash or []]


def manifest_url(video) -> str | None:
    """The signed manifest's absolute URL; None when the video has no rendition."""
    return links.file_url(s3.manifest_key(video.channel_id, video.youtube_id)) if video.dash else None


def _representation(video, stream: dict) -> str:
    attributes = {
        "id": itag(stream),
        "codecs": stream["codecs"],
        "bandwidth": str(stream["bitrate"]),
    }
    if stream["kind"] == "video":
        attributes.update(width=str(stream["width"]), height=str(stream["height"]), startWithSAP="1")
        if stream.get("fps"):
            attributes["frameRate"] = stream["fps"]
    else:
        attributes["audioSamplingRate"] = str(stream["sample_rate"])
    opening = " ".join(f"{name}={quoteattr(value)}" for name, value in attributes.items())
    channels = (
        '<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" '
        f'value="{int(stream["channels"])}"/>'
        if stream["kind"] == "audio"
        else ""
    )
    return (
        f"<Representation {opening}>{channels}"
        f"<BaseURL>{_text(stream_url(video, stream))}</BaseURL>"
        f'<SegmentBase indexRange="{stream["index"]}"><Initialization range="{stream["init"]}"/></SegmentBase>'
        "</Representation>"
    )


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def manifest(video) -> str:
    """The MPD of a video's rendition: one adaptation set a stream kind, as Invidious writes its own."""
    sets = []
    for number, kind in enumerate(("video", "audio")):
        streams = [s for s in video.dash or [] if s["kind"] == kind]
        if streams:
            mime = streams[0]["mime"]
            body = "".join(_representation(video, s) for s in streams)
            sets.append(
                f'<AdaptationSet id="{number}" mimeType="{mime}" subsegmentAlignment="true">{body}</AdaptationSet>'
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:full:2011" type="static" '
        f'minBufferTime="PT1.5S" mediaPresentationDuration="PT{int(video.duration or 0)}S">'
        f'<Period id="0">{"".join(sets)}</Period></MPD>'
    )


def manifest_for_key(key: str) -> str:
    """The manifest a signed path names (s3.manifest_key); 404 when the video or its rendition is gone."""
    youtube_id = key.rsplit("/", 1)[-1].removesuffix(s3.MANIFEST_SUFFIX)
    found = db.batch_get((Video, [youtube_id] if is_video_id(youtube_id) else []))[0].get(youtube_id)
    if found is None or not found.dash or s3.manifest_key(found.channel_id, youtube_id) != key:
        raise NotFound("This video has no DASH rendition")
    return manifest(found)
