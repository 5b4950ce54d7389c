"""The agreement's shape, known in one place: the typed entities, the JSON Schemas generated
from them, the layout of a repository (which files belong to a year) and reading a year.
"""
