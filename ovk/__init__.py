"""ovk: a municipality's överenskommelse om verksamhet as YAML in git."""

__version__ = "0.1.0"
REPOSITORY = "https://github.com/ovk-tool/ovk"
