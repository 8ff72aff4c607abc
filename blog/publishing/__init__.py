"""The public site as static files (``manage.py build_static``, the admin's « Publier »).

Every page is rendered in-process by the live site's own URL conf, middleware, views and
templates (``render``), found by crawling its links (``addresses``), and written beside
OUTDIR first, then moved in file by file (``output``), so a web server serving OUTDIR never
sees a partial page. Old addresses become host rules and HTML stubs (``hosting``); the
search index is Pagefind's (``search``). ``build`` puts it together. The rule: nothing here
knows which pages exist; a new kind of page is exported because something links to it.
"""
