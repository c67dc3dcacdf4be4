"""Each domain's models and city-pack loaders, in one list so create_app stays a table of contents.
A domain adds its import here when it gains models or pack data."""


def register_pack_loaders() -> None:
    pass
