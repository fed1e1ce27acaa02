"""The explorer's pages beyond Datasette's own: an entity page and a document view (:mod:`.plugin`, ``templates/``)."""
