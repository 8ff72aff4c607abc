"""The rows one imported post file makes: its post, authors, tags, redirects and images.

``import_post`` saves the post (inside the caller's savepoint) and returns what else it
needs; ``Batch`` writes the tag links and redirects of a whole batch in a few bulk
queries, and the images last. Caches (slugs, tags, known redirects, stored images) live
in ``RunState`` for the run, and are undone when a file's savepoint rolls back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.db import connection
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from blog import search_index
from blog.models import Author, Post, PostAuthor, Redirect, TaggedPost, site_author
from blog.porting import frontmatter, gatsby, oldurls, shortcodes
from blog.porting.images import StoredImage, is_local, rewrite_images
from blog.porting.importing.common import (
    MAX_PATH,
    FileResult,
    Pending,
    RunState,
    Undo,
    conflict,
    digest,
    edited_since_import,
    file_digest,
    image_user,
    jsonable,
    link_key,
    relative_or_none,
    rewrite_body,
)
from blog.text import ascii_slugify, name_key, strip_control_chars

REPOSITORY_FILES = {"README", "CHANGELOG", "LICENSE", "CONTRIBUTING", "CODE_OF_CONDUCT", "SECURITY"}
_SOURCE_FIELDS = (
    "source_hash",
    "source_meta",
    "source_format",
    "source_front_matter",
    "source_images",
    "imported_at",
)


def import_post(file: Path, relative: str, raw: bytes, source: frontmatter.Source,
                post: Post | None, site: tuple, state: RunState, undo: Undo, *,
                bulk: bool = False) -> FileResult | Pending:  # fmt: skip
    """Save the post of one file (a new one only prepared when ``bulk``: ``write_batch``
    inserts it); raises SourceError / ImportFailure for a bad one."""
    root, site_root, static_dir, mtime = site
    if skip := skip_reason(file, source):
        return FileResult(str(file), "skipped", skip)
    fields = frontmatter.map_fields(source, relative, fallback_date=mtime)
    result = FileResult(str(file), "updated" if post else "created", warnings=fields.warnings,
                        draft=fields.draft)  # fmt: skip
    offset = source.body_line - 1
    key = frontmatter.template_key(source.meta)
    if key not in (None, "blog-post"):
        result.warnings.append(f"templateKey {key!r} imported as a post")
    if file.suffix.lower() == ".mdx" and (mdx := frontmatter.mdx_lines(source.body)):
        result.warnings.append(
            f"line {mdx[0][0] + offset}: {len(mdx)} MDX line(s) (import, export, JSX) such as "
            f"{mdx[0][1][:60]!r} kept as text; the post needs a look"
        )
    allowed = tuple(p for p in (root, site_root, static_dir) if p is not None)
    images: dict[str, StoredImage] = {}
    use = image_user(file, static_dir, allowed, state, result, images)
    # Shortcodes first: the images a figure names are then copied as Markdown images are.
    assets: dict[str, StoredImage] = {}  # URL -> image, of the post assets converted
    converted = shortcodes.convert(source.body, _resolver(state, _asset_user(file, use, assets)))
    result.shortcodes_converted, result.shortcodes_left = converted.converted, len(converted.left)
    later = [
        (line, tag)
        for line, tag in converted.left
        if (key := link_key(shortcodes.link_target(tag)))
        and key in state.run_keys
        and key not in state.failed_keys
    ]
    if later:  # a post of this run imported after this one: linked at the end of the run
        state.later_links[relative] = result
    if found := [item for item in converted.left if item not in later]:
        result.warnings.append(
            f"line {found[0][0] + offset}: {len(found)} Hugo shortcode/Liquid tag(s) such as "
            f"{found[0][1][:60]!r} kept as text; the post needs a look"
        )
    before = fingerprint(post, list(post.tags.names())) if post else None
    if edited_since_import(before, post.source_fingerprint if post else None, state):
        return conflict(file, "post")
    previous_meta = post.source_meta if post else None
    post = post or Post(source_path=relative)
    post.title = fields.title
    post.description = strip_control_chars(fields.description, multiline=True).strip()
    shown = dataclasses.replace(source, body=converted.body)

    def stored(ref: str, what: str) -> StoredImage | None:
        return assets.get(ref) or use(ref, what)

    post.body = strip_control_chars(rewrite_body(shown, stored), multiline=True)
    post.pub_date = fields.pub_date
    post.featured = fields.featured
    post.language = fields.language
    post.status = Post.Status.DRAFT if fields.draft else Post.Status.PUBLISHED
    post.image, post.image_alt, post.image_width, post.image_height = "", "", None, None
    image_key, _ = frontmatter.lookup(source.meta, frontmatter.IMAGE_KEYS)
    if fields.image and not is_local(fields.image):
        result.warnings.append(f"{image_key} {fields.image!r} is not a local file; not copied")
    elif fields.image and (image := use(fields.image, image_key or "image")):
        # Sizes known already: Django does not open a file that is only written at the end.
        post.image.name = image.name
        post.image_width, post.image_height = image.width, image.height
        post.image_alt = fields.image_alt or post.title
    _choose_slug(post, fields.slug, state, undo, result)
    links = state.post_links()
    undo.links.append((link_key(relative), links.get(link_key(relative))))
    links[link_key(relative)] = post.slug
    post.source_hash = file_digest(raw)
    post.source_meta = jsonable(source.meta)
    post.source_format = source.format
    post.source_front_matter = source.front_matter
    post.source_images = {
        "static_dir": relative_or_none(static_dir, root),
        "refs": {ref: image.name for ref, image in images.items()},
    }
    if converted.converted or later:
        # No field for it (and no migration): the body as written, with its shortcodes, kept
        # beside the image references; export writes it back while the post's body is still
        # the one imported (its hash below), so the round trip is exact. Once edited in the
        # admin, the post's own (converted) body is exported.
        post.source_images["body"] = source.body
        post.source_images["body_sha256"] = shortcodes.body_hash(post.body)
    post.source_fingerprint = fingerprint(post, fields.tags)
    post.imported_at = timezone.now()
    if before is not None and before == post.source_fingerprint:
        result.action = "unchanged"  # the file changed, not what Carnet shows of it
        Post.objects.filter(pk=post.pk).update(**{f: getattr(post, f) for f in _SOURCE_FIELDS})
    elif bulk and post.pk is None:
        post.prepare()  # render now (a bad body fails this file only), insert with the batch
    else:
        post.save()
    tags = _tags(fields.tags, state, undo)
    new_tag_ids = _tag_changes(post, tags, created=result.action == "created")
    categories = frontmatter.tags_of(
        {k: v for k, v in source.meta.items() if str(k).lower() in ("categories", "category")}
    )
    old = oldurls.post_paths(relative, source.format, fields.old_urls, categories)
    authors = _authors(source.meta, previous_meta, state, undo)
    return Pending(result, post, new_tag_ids, _wanted_redirects(post, old, tags, state),
                   list(images.values()), authors)  # fmt: skip


def _resolver(state: RunState, asset=None):
    """``{% post_url %}`` and ``{{< ref >}}`` -> the post's new address, when imported;
    Hexo's ``{% asset_img %}`` and kin -> ``asset(reference)``, the stored image's URL."""

    def resolve(kind: str, target: str) -> str | None:
        if kind == "asset":
            return asset(target) if asset else None
        slug = state.post_links().get(link_key(target))
        if not slug:
            return None
        anchor = target.partition("#")[2] if kind == "ref" else ""
        url = reverse("blog:post-detail", kwargs={"slug": slug})
        return f"{url}#{anchor}" if anchor else url

    return resolve


def _asset_ref(file: Path | str, name: str) -> str:
    """Hexo's ``post_asset_folder``: a post's assets sit in the folder named as the post's
    file without its suffix, beside it (``_posts/hello.md`` -> ``_posts/hello/cat.png``)."""
    return quote(f"{Path(file).stem}/{name.strip().lstrip('/')}")


def _asset_user(file: Path, use, assets: dict[str, StoredImage]):
    """The URL of the stored image a post asset names (copied as any image), or None;
    ``assets`` keeps each URL given, for the body's images not to look for it as a file."""

    def asset(name: str) -> str | None:
        image = use(_asset_ref(file, name), f"asset {name!r}:")
        if image is None:
            return None
        url = default_storage.url(image.name)
        assets[url] = image
        return url

    return asset


def link_later_posts(state: RunState, report) -> None:
    """Once every file is in: the links to posts imported after the post that names them.

    Converted again from the kept original, the images' references mapped as at import."""
    for post in Post.objects.filter(source_path__in=list(state.later_links)):
        result = state.later_links[post.source_path]
        kept = post.source_images or {}
        if result.action not in ("created", "updated") or not isinstance(kept.get("body"), str):
            continue
        refs = kept.get("refs") or {}

        def asset(name: str, file=post.source_path, refs=refs) -> str | None:
            ref = _asset_ref(file, name)
            return default_storage.url(refs[ref]) if ref in refs else None

        converted = shortcodes.convert(kept["body"], _resolver(state, asset))
        body = rewrite_images(
            converted.body,
            lambda ref, line, refs=refs: default_storage.url(refs[ref]) if ref in refs else None,
        )
        body = strip_control_chars(body, multiline=True)
        gained = converted.converted - result.shortcodes_converted
        if body == post.body or gained <= 0:
            continue
        post.body = body
        post.source_images = {**kept, "body_sha256": shortcodes.body_hash(body)}
        post.source_fingerprint = fingerprint(post, list(post.tags.names()))
        post.save()
        result.shortcodes_converted += gained
        result.shortcodes_left -= gained
        report.relinked(gained)


def skip_reason(file: Path, source: frontmatter.Source) -> str:
    key = frontmatter.template_key(source.meta)
    if key in gatsby.TEMPLATES:
        return f"templateKey {key!r} is a page, not a blog post; skipped (--no-pages)"
    if gatsby.is_page(key):
        return f"templateKey {key!r} is a page, not a blog post; skipped"
    if not source.format and file.stem.upper() in REPOSITORY_FILES:
        return f"{file.name} without front matter is the repository's notes, not a post"
    if file.name.lower() == "_index.md":
        return "a Hugo section page (_index.md), not a post"
    _, date = frontmatter.lookup(source.meta, frontmatter.DATE_KEYS)
    if not source.body.strip() and date is None:
        return "no body and no date: a listing page, not a post"
    return ""


def write_batch(pending: list[Pending], state: RunState) -> None:
    """The new posts, tag links and redirects of a batch in bulk, then its images (last)."""
    created = [item.post for item in pending if item.post.pk is None]
    tagged = [item.post for item in pending if item.new_tag_ids]
    with search_index.indexed_once(connection, created, tagged):
        Post.objects.bulk_create(created)
        TaggedPost.objects.bulk_create(
            [
                TaggedPost(content_object=item.post, tag_id=pk)
                for item in pending
                for pk in item.new_tag_ids
            ]
        )
    bylines = [item for item in pending if item.authors is not None]
    PostAuthor.objects.filter(post__in=[item.post for item in bylines]).delete()
    PostAuthor.objects.bulk_create(
        PostAuthor(post=item.post, author=author, position=n)
        for item in bylines
        for n, author in enumerate(item.authors)
    )
    wanted = {path for item in pending for path in item.redirects} - state.redirects
    existing = {
        path: (post_id, title)
        for path, post_id, title in Redirect.objects.filter(old_path__in=wanted).values_list(
            "old_path", "post_id", "post__title"
        )
    }
    rows = []
    for item in pending:
        for path, (post, new_path) in item.redirects.items():
            if path in existing:
                post_id, title = existing[path]
                if post is not None and post_id != post.pk:
                    item.result.warnings.append(
                        f"old address {path} already leads to {title or new_path!r}; left as it is"
                    )
                continue
            if path in state.redirects:
                continue
            rows.append(Redirect(old_path=path, post=post, new_path=new_path))
            existing[path] = (post.pk if post else None, post.title if post else "")
            state.redirects.add(path)
            item.result.redirects_made += 1
    Redirect.objects.bulk_create(rows)
    for item in pending:
        if state.dry_run:
            item.result.images_copied = state.store.plan(item.images)
        else:
            written = state.store.write(item.images)
            state.written.extend(written)
            item.result.images_copied = len(written)


def _choose_slug(post: Post, wanted: str, state: RunState, undo: Undo, result) -> None:
    taken = state.taken_slugs()
    if wanted and wanted != post.slug:
        if wanted in taken:
            result.warnings.append(f"slug {wanted!r} is taken; the post is at another address")
        base = wanted
    elif post.slug:
        return
    else:
        base = ascii_slugify(post.title)[:190].strip("-") or "article"
    slug, n = base, 2
    while slug in taken:  # the same numbering as Post.unique_slug
        slug, n = f"{base}-{n}", n + 1
    post.slug = slug
    taken.add(slug)
    undo.slugs.append(slug)


def _authors(meta: dict, previous: dict | None, state: RunState, undo: Undo) -> list | None:
    """The profiles the file names (matched by name, case and accents aside; made when new),
    or the site's author when it names nobody. None for a post imported before whose file's
    authors did not change: it keeps the authors the admin gave it (unless ``--force``)."""
    names = frontmatter.authors_of(meta)
    if previous is not None and not state.force:
        try:
            before = frontmatter.authors_of(previous)
        except frontmatter.SourceError:
            before = []
        if [name_key(n) for n in before] == [name_key(n) for n in names]:
            return None
    if not names:
        if state.default_author is None:
            state.default_author = site_author()
        return [state.default_author]
    authors = []
    for name in names:
        key = name_key(name)
        if key not in state.authors:
            found = Author.objects.named(name).first()
            if found is None:
                found = Author.objects.create(name=name)
                undo.authors.append(key)
            state.authors[key] = found
        authors.append(state.authors[key])
    return authors


def _tags(names: list[str], state: RunState, undo: Undo) -> list[Tag]:
    tags = []
    for name in names:
        key = name.lower()
        state.tag_keys.add(key)
        if key not in state.tags:
            tag = Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                tag = Tag.objects.create(name=name)
                undo.tags.append(key)
            state.tags[key] = tag
        tags.append(state.tags[key])
    return tags


def settle_tag_names(keys: set[str]) -> None:
    """Name each tag met by its most used spelling among the imported posts (``web`` and
    ``Web`` are one tag), ties to the earliest post, then in code point order: the same name
    whatever the order the files came in, so an export imported again keeps it."""
    if not keys:
        return
    tags = {}
    for tag in Tag.objects.annotate(key=Lower("name")).filter(key__in=keys):
        tags.setdefault(tag.name.lower(), []).append(tag)
    tags = {key: found[0] for key, found in tags.items() if key in keys and len(found) == 1}
    uses: dict[str, dict[str, tuple]] = {key: {} for key in tags}  # spelling: (uses, first)
    posts = Post.objects.filter(tags__in=tags.values()).exclude(source_meta=None).distinct()
    for pub_date, meta in posts.values_list("pub_date", "source_meta"):
        try:
            names = frontmatter.tags_of(meta or {})
        except frontmatter.SourceError:
            continue
        for name in names:
            if (key := name.lower()) in uses:
                count, first = uses[key].get(name, (0, pub_date))
                uses[key][name] = (count + 1, min(first, pub_date))
    for key, spellings in uses.items():
        if not spellings:
            continue
        name = min(spellings, key=lambda s: (-spellings[s][0], spellings[s][1], s))
        if tags[key].name != name:
            Tag.objects.filter(pk=tags[key].pk).update(name=name)
            tags[key].name = name


def _tag_changes(post: Post, tags: list[Tag], *, created: bool) -> list[int]:
    """Removes the tags a post lost now; returns the ids of those it gained (linked in bulk)."""
    wanted = {tag.pk for tag in tags}
    current = set() if created else set(post.tagged_items.values_list("tag_id", flat=True))
    if current - wanted:
        post.tagged_items.filter(tag_id__in=current - wanted).delete()
    return sorted(wanted - current)


def _wanted_redirects(post: Post, old: list[str], tags: list[Tag], state: RunState) -> dict:
    """The post's and its tags' old addresses; never one that is the page itself."""
    own = oldurls.normalize_path(state.post_url(post.slug))
    wanted: dict[str, tuple[Post | None, str]] = {
        path: (post, "") for path in old if path != own and len(path) <= MAX_PATH
    }
    for tag in tags:
        if not tag.slug:
            continue
        if tag.slug not in state.tag_urls:  # the same tags come back on many posts
            state.tag_urls[tag.slug] = reverse("blog:tag", args=[tag.slug])
        path, target = oldurls.tag_path(tag.name), state.tag_urls[tag.slug]
        if path and path != oldurls.normalize_path(target) and path not in wanted:
            wanted[path] = (None, target)
    return wanted


def fingerprint(post: Post, tags: list[str]) -> str:
    """What Carnet shows of a post, hashed: it changes when the post is edited in the admin."""
    values = [
        post.title,
        post.slug,
        post.description,
        post.body.replace("\r\n", "\n"),
        post.pub_date.astimezone(dt.UTC).isoformat(),
        post.status,
        post.featured,
        post.image.name or "",
        post.image_alt,
        sorted(tag.lower() for tag in tags),
    ]
    if post.language:  # only then: the fingerprints of posts stored before it stay the same
        values.append(post.language)
    return digest(values)
