"""What customers contributes to the base registries (salesops/): demo data, metrics, account panels
and timeline sources. Each area adds its own register_* function and calls it from register()."""


def register() -> None:
    pass
