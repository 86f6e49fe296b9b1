"""The parts of :mod:`archive_search.related`, each readable and testable alone.

``related.py`` holds the settings and runs the steps in order; each part takes what it needs
as arguments (the index searcher, the settings it uses, the terms of the compared text), so
none depends on another having run first:

* :mod:`.terms`: a text's terms as the index has them, and their document frequencies and
  idf (with its floor), read from the index;
* :mod:`.boilerplate`: terms and lines that cannot tell stories apart (a source's standing
  text, lines repeated word for word in many articles);
* :mod:`.profiles`: what an article is compared on (weighted terms, names, tags, shingles);
* :mod:`.candidates`: which articles to compare in full, within a postings budget;
* :mod:`.scoring`: the score of a pair, its reasons in words and copies of one story.
"""
