"""Request bodies of the admin users API (`/api/users/...`)."""

from typing import Annotated

from msgspec import Meta, Struct

Password = Annotated[str, Meta(min_length=1, max_length=1000)]


class NewUser(Struct):
    username: Annotated[str, Meta(min_length=1, max_length=150)]
    password: Password
    is_admin: bool = False


class NewPassword(Struct):
    password: Password
