"""The stand-in YouTube with an account: the Liked Videos list (`LL`) opens only with a signed-in cookie (`SID`,
not "expired"), as YouTube's does; everything else is tests/fake_youtube.py's."""

from yt_dlp.utils import ExtractorError

from tests.fake_youtube import FakeYoutubeIE

EXTRACTOR = "tests.fake_account:FakeAccountIE"


class FakeAccountIE(FakeYoutubeIE):
    IE_NAME = "fakeaccount"

    def _real_extract(self, url):
        if "list=LL" not in url:
            return super()._real_extract(url)
        sid = self._get_cookies("https://www.youtube.com").get("SID")
        if sid is None or sid.value == "expired":
            raise ExtractorError(
                "The provided YouTube account cookies are no longer valid; sign in to see your liked videos",
                expected=True,
            )
        return {"_type": "playlist", "id": "LL", "title": "Liked videos", "entries": []}
