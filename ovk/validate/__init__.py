"""`ovk validate`: the engine that checks every file against its schema and the cross-file
rules, the cache of clean files, and the reporters (text, json, github).
"""
