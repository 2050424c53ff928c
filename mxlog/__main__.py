from mxlog.cli import run

run()
