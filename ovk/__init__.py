"""ovk: a municipality's överenskommelse om verksamhet as YAML in git."""

__version__ = "0.1.0"
# Where ovk is published: the pre-commit hooks' repo, and (tagged v<version>) the schemas' $id.
REPOSITORY = "https://github.com/ovk-tool/ovk"
