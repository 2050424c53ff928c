"""mxlog: an offline log and traffic analyzer for an OpenBSD mail system."""

__version__ = "0.1.0"
