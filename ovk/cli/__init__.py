"""The command line: typer commands that parse options, call the core and map its errors to
one-line messages and exit codes. The only package that imports typer, click or rich.
"""
