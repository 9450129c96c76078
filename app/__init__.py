"""The care-leavers covenant registry."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("covenant-registry")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
