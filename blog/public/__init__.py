"""What readers get: the views, feeds, sitemap, search and contact form, their URLs and caching.

Only reads published content (``Post.objects.published()``, ``Page.objects.published()``);
imports models and services (``blog.site``, ``blog.images``), never the admin or porting.
"""
