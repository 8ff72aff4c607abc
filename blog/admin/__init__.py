"""The writer's side: Django's admin with Carnet's site (roles), one module per thing edited.

Importing this package registers every model admin (Django's autodiscover imports it):
posts (``posts``), author profiles (``authors``), tags (``tags``), the identity, pages and
inbox (``pages``), users and groups (``accounts``). What they share sits below them: the
editor's views and settings (``editor``), forms (``forms``), history (``history``), and login
throttling (``auth``); the admin site itself is ``blog.admin_site``.
"""

from blog.admin import accounts, authors, pages, posts, tags

__all__ = ["accounts", "authors", "pages", "posts", "tags"]
