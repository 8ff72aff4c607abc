"""Who the site is by, as every page shows it: the identity, the navigation, page sections.

Services over the models (no views): read by the public pages and the admin alike.
"""
