"""The search engine behind the archive: what the rest of the package may ask of it.

``fields.py`` is the one table of fields, languages and analysers; ``stored.py`` turns a stored
document back into a typed record. Whoosh is the one engine today (``index.py``).
"""
