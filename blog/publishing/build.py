"""One build: crawl the live site in-process, stage every file, index, then publish."""

from __future__ import annotations

import fcntl
import stat
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from blog.models import Post, Redirect
from blog.publishing import assets, hosting, reuse, search
from blog.publishing.addresses import (
    MANIFEST,
    file_for,
    is_safe_file,
    links_in,
    local_address,
    split_page,
)
from blog.publishing.flags import StaticBuild
from blog.publishing.output import Changes, Staging
from blog.publishing.render import NOT_FOUND_PROBE, Renderer, parse_base_url, rendering_for

# Where the crawl starts: the home page links to the rest; these are linked from no page (or
# only from a feed) and are addresses of the live site all the same.
SEEDS = (
    "/",
    "/robots.txt",
    "/sitemap.xml",
    "/feed/",
    "/feed/atom/",
    "/search/",
    "/contact/",
    "/contact/merci/",
)
MARKER_TEXT = (
    b"This folder is written by `manage.py build_static`: files not in the site are deleted.\n"
)


class BuildError(Exception):
    """The site could not be built; OUTDIR was left as it was."""


class BuildRunning(BuildError):
    """Another build holds OUTDIR's lock (a second click on « Publier »): nothing was done."""


@dataclass
class Report:
    changes: Changes = field(default_factory=Changes)
    pages: int = 0
    rendered: int = 0  # the others kept from the previous build (--incremental)
    assets: int = 0
    redirects: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        c = self.changes
        return (
            f"{self.pages} pages ({self.rendered} rendered), {self.assets} files, "
            f"{self.redirects} old addresses: "
            f"{len(c.written)} written, {len(c.unchanged)} unchanged, {len(c.deleted)} deleted"
        )


def default_base_url() -> str:
    return getattr(settings, "CARNET_STATIC_BASE_URL", "") or "http://localhost"


def build_site(
    outdir: Path,
    *,
    base_url: str = "",
    incremental: bool = False,
    dry_run: bool = False,
    contact_action: str | None = None,
    on_item: Callable[[str, str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Build the static site into ``outdir``; the report says what was written.

    Nothing in OUTDIR changes unless every page rendered (errors are in the report).
    """
    outdir = Path(outdir).absolute()
    _check_outdir(outdir)
    scheme, host = parse_base_url(base_url or default_base_url())
    if contact_action is None:
        contact_action = getattr(settings, "CARNET_STATIC_CONTACT_ACTION", "")
    report = Report()
    with one_build_at_a_time(outdir):
        return _build(
            outdir, scheme, host, contact_action, incremental, dry_run, report, on_item, on_progress
        )


@contextmanager
def one_build_at_a_time(outdir: Path) -> Iterator[None]:
    """Two editors pressing « Publier » at once: the second is told, not interleaved."""
    outdir.parent.mkdir(parents=True, exist_ok=True)
    with open(outdir.parent / f".{outdir.name}.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildRunning(
                f"{outdir}: another build is writing it; try again when it ends"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _build(
    outdir, scheme, host, contact_action, incremental, dry_run, report, on_item, on_progress
):
    staging = Staging(outdir, incremental=incremental)
    try:
        current = reuse.fingerprint(f"{scheme}://{host}|{contact_action}")
        posts = reuse.post_signatures()
        old = reuse.read_manifest(reuse.manifest_for(outdir)) if incremental else None
        edited = reuse.edited_posts(old, current, posts)
        with rendering_for(host):
            crawl = Crawl(
                Renderer(scheme, host, StaticBuild(contact_action)),
                staging,
                report,
                on_item,
                on_progress,
            )
            if edited is not None:
                crawl.reuse_from(outdir, old, edited)
            with crawl.recorder.connected():
                crawl.run()
        if report.errors:
            return report
        _check_no_unpublished(staging, report)
        if report.errors:
            return report
        search_key = _index(staging, crawl, outdir, old)
        crawl.write_stubs()
        rules = crawl.rules
        rules.csp = hosting.static_csp(crawl.csp, contact_action)
        staging.write("_redirects", rules.redirects_file().encode())
        staging.write("_headers", rules.headers_file().encode())
        staging.write(hosting.NGINX_MAP, rules.nginx_map().encode())
        staging.write(hosting.NGINX_HEADERS, rules.nginx_headers().encode())
        staging.write("netlify.toml", rules.netlify_toml().encode())
        known = (old or {}).get("files")
        report.changes = staging.publish(
            incremental=incremental,
            dry_run=dry_run,
            known=known if isinstance(known, dict) else None,
        )
        if not dry_run:
            # Last: until it is written, the next --incremental compares with the build before.
            reuse.write_manifest(
                reuse.manifest_for(outdir),
                reuse.manifest_text(current, posts, crawl.pages, staging.records, search_key),
            )
            (outdir / MANIFEST).unlink(missing_ok=True)  # where builds before 2026-12 kept it
    except (OSError, search.SearchIndexError) as exc:
        raise BuildError(str(exc)) from exc
    finally:
        staging.cleanup()
    return report


def _index(staging: Staging, crawl: Crawl, outdir: Path, old: dict | None) -> str | dict:
    """The search index in the staging folder: per bundle, the previous one when none of its
    post pages changed a byte, else Pagefind's over its staged post pages. Returns what it
    is made of: a key (one bundle), or {bundle's folder: key}."""
    language = crawl.language or settings.LANGUAGE_CODE
    glob = search.post_pages_glob()
    indexed = {
        name: page["digest"] for name, page in crawl.pages.items() if search.is_indexed(name, glob)
    }
    split = search.buckets(indexed)
    known = (old or {}).get("files")
    if len(split) <= 1:
        key = search.index_key(language, indexed)
        if key:  # no other bundle: the search page reads an empty list (not a 404)
            staging.write(search.BUNDLES, search.bundles_json([search.FOLDER]))
        same = bool(key and old and old.get("search") == key and isinstance(known, dict))
        if same and staging.link_tree(search.FOLDER, outdir / search.FOLDER, known):
            return key
        staging.stage_kept(indexed)
        search.build_index(staging.root, language)
        if (staging.root / search.FOLDER).is_dir():
            staging.add_tree(search.FOLDER)
        return key
    before = (old or {}).get("search")
    before = before if isinstance(before, dict) and isinstance(known, dict) else {}
    keys = {}
    for folder, pages in split.items():
        keys[folder] = key = search.index_key(language, pages)
        if before.get(folder) == key and staging.link_tree(folder, outdir / folder, known):
            continue
        staging.stage_kept(pages)
        search.build_bundle(staging.root, folder, pages, language)
        staging.add_tree(folder)
    staging.write(search.BUNDLES, search.bundles_json(split))
    return keys


def _check_outdir(outdir: Path) -> None:
    if outdir.is_symlink():
        raise BuildError(f"{outdir}: a symbolic link; give the real folder")
    if outdir.exists() and not outdir.is_dir():
        raise BuildError(f"{outdir}: exists and is not a folder")
    written_by_us = reuse.manifest_for(outdir).is_file() or (outdir / MANIFEST).is_file()
    if outdir.is_dir() and any(outdir.iterdir()) and not written_by_us:
        raise BuildError(
            f"{outdir}: the folder is not empty and was not written by build_static "
            "(every file a build does not write is deleted: give an empty or new folder)"
        )


def _check_no_unpublished(staging: Staging, report: Report) -> None:
    """A guard on top of published(): no file at the address of a post readers cannot see."""
    hidden = Post.objects.exclude(status=Post.Status.PUBLISHED, pub_date__lte=timezone.now()).only(
        "slug"
    )
    for post in hidden:
        relative = file_for(post.get_absolute_url())
        if staging.has(relative):
            report.errors.append(f"{post.get_absolute_url()}: not published, yet rendered")


def _admin_prefix() -> str | None:
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


class Crawl:
    """Every address reachable from SEEDS and the stored old addresses, rendered and staged."""

    def __init__(self, renderer, staging, report, on_item, on_progress):
        self.renderer, self.staging, self.report = renderer, staging, report
        self.on_item, self.on_progress = on_item, on_progress
        self.origin = renderer.origin
        self.rules = hosting.HostRules(origin=self.origin)
        self.queue: deque[str] = deque()
        self.old: dict[str, str] = {}
        self.seen: set[str] = set()
        self.done = 0
        self.csp = ""
        self.language = ""
        self.search_path = reverse("blog:search")
        self.admin_prefix = _admin_prefix()
        self.recorder = reuse.Recorder()
        self.pages: dict[str, dict] = {}  # file -> what the manifest keeps of its page
        self.previous: Path | None = None
        self.previous_pages: dict[str, dict] = {}
        self.previous_files: dict[str, list] = {}
        self.edited: set[int] = set()

    def reuse_from(self, outdir: Path, old: dict, edited: set[int]) -> None:
        """Keep the pages of the build in ``outdir`` (``old``: its manifest) that loaded none
        of the ``edited`` posts and are still the files it wrote."""
        self.previous, self.previous_pages, self.edited = outdir, old["pages"], edited
        files = old.get("files")
        self.previous_files = files if isinstance(files, dict) else {}

    def reusable(self, address: str, relative: str) -> Path | None:
        if self.previous is None or address == "/":  # home: its policy and language are read
            return None
        page = self.previous_pages.get(relative)
        if not isinstance(page, dict) or page.get("address") != address:
            return None
        if self.edited & set(page.get("posts") or ()):
            return None
        path = self.previous / relative
        record = self.previous_files.get(relative)
        try:
            found = path.lstat()
        except OSError:
            return None
        # Still the file that build wrote (not replaced or edited by hand since): same size
        # and date as it recorded, and a plain file.
        if not isinstance(record, list) or record[:2] != [found.st_size, found.st_mtime_ns]:
            return None
        return path if stat.S_ISREG(found.st_mode) else None

    def run(self) -> None:
        for address in SEEDS:
            self.add(address)
        old = self.old_addresses()
        for target in old.values():
            self.add(target)
        self.drain()
        self.not_found_page()
        self.drain()
        self.old = old

    def write_stubs(self) -> None:
        """Old addresses, and those the live site redirects that pages link (/contact/thanks/).

        After the search index: a stub is no page to find."""
        for address, target in [*self.rules.redirects.items(), *self.old.items()]:
            self.stub(address, target)

    def add(self, address: str) -> None:
        if address in self.seen or not self.crawlable(address):
            return
        self.seen.add(address)
        self.queue.append(address)

    def crawlable(self, address: str) -> bool:
        parts = urlsplit(address)
        if self.admin_prefix and parts.path.startswith(self.admin_prefix):
            return False
        if parts.query:
            # Only a list's page: the live site's ?page=N (searches are not pages).
            return (
                parts.path != self.search_path
                and split_page(address)[1] > 1
                and (parts.query == f"page={split_page(address)[1]}")
            )
        return True

    def drain(self) -> None:
        while self.queue:
            address = self.queue.popleft()
            try:
                self.visit(address)
            except assets.MissingAsset as exc:  # as a page that links to nowhere: said
                self.report.warnings.append(str(exc))
            except Exception as exc:  # a view that fails: named, the build goes on to say all
                self.report.errors.append(f"{address}: {type(exc).__name__}: {exc}")
            self.done += 1
            if self.on_progress:
                self.on_progress(self.done, len(self.seen))

    def visit(self, address: str) -> None:
        relative = file_for(address)
        if not is_safe_file(relative):
            self.report.warnings.append(f"{address}: not an address a file can hold; skipped")
            return
        if self.staging.has(relative):
            return
        if assets.kind_of(address):
            source = assets.local_path(address)
            if source and not relative.endswith(".css"):
                self.staging.link(relative, source)  # no copy: the same file
            else:
                content = assets.read(address)
                self.staging.write(relative, content)
                if relative.endswith(".css"):
                    self.follow(address, "text/css", content)
            self.report.assets += 1
            self.item(address, relative)
            return
        kept = self.reusable(address, relative)
        if kept:  # not read again: its links and digest are in the manifest
            page = self.previous_pages[relative]
            self.staging.link(relative, kept)
            self.record_page(address, relative, page["type"], page["posts"], page)
            return
        with self.recorder.page() as loaded:
            rendered = self.renderer.get(address)
        if 300 <= rendered.status < 400:
            target = local_address(rendered.location, urlsplit(address).path, self.origin)
            if target:
                self.rules.redirects[address] = target
                self.add(target)
            return
        if rendered.status == 404:
            self.report.warnings.append(f"{address}: linked, but there is no page there (404)")
            return
        if rendered.status != 200:
            self.report.errors.append(f"{address}: the live site answers {rendered.status}")
            return
        if address == "/":
            self.csp, self.language = rendered.csp, rendered.language
        self.staging.write(relative, rendered.content)
        self.report.rendered += 1
        links = self.links_of(address, rendered.content_type, rendered.content)
        page = {"links": links, "digest": reuse.digest(rendered.content)}
        self.record_page(address, relative, rendered.content_type, loaded, page)

    def record_page(self, address, relative, content_type, posts, page) -> None:
        """``page``: its links (local addresses) and digest, as the manifest keeps them."""
        self.pages[relative] = {
            "address": address,
            "type": content_type,
            "posts": sorted(posts),
            "links": page["links"],
            "digest": page["digest"],
        }
        self.report.pages += 1
        self.item(address, relative)
        path, number = split_page(address)
        if number > 1:
            self.rules.paginated.add(path)
        self.rules.add_content_type(address, relative, content_type)
        for link in page["links"]:
            self.add(link)

    def links_of(self, address: str, content_type: str, content: bytes) -> list[str]:
        """The local addresses a page or stylesheet links, each once."""
        text = content.decode("utf-8", errors="replace")
        base = urlsplit(address).path
        found = {}
        for link in links_in(content_type, text):
            local = local_address(link, base, self.origin)
            if local:
                found[local] = None
        return list(found)

    def follow(self, address: str, content_type: str, content: bytes) -> None:
        for local in self.links_of(address, content_type, content):
            self.add(local)

    def not_found_page(self) -> None:
        rendered = self.renderer.get(NOT_FOUND_PROBE)
        self.staging.write("404.html", rendered.content)
        self.item(NOT_FOUND_PROBE, "404.html")
        self.follow("/", rendered.content_type, rendered.content)

    def old_addresses(self) -> dict[str, str]:
        """Stored redirects that the live site answers (never to a post readers cannot see)."""
        visible = Q(post__isnull=True) | Q(
            post__status=Post.Status.PUBLISHED, post__pub_date__lte=timezone.now()
        )
        found = {}
        for redirect in (
            Redirect.objects.filter(visible)
            .select_related("post")
            .only("old_path", "new_path", "post__slug")
        ):
            target = local_address(redirect.target_url, "/", self.origin) or redirect.target_url
            if target and redirect.old_path != target:
                found[redirect.old_path] = target
        return found

    def stub(self, address: str, target: str) -> None:
        """An old address: a host rule, and a stub page unless a real page took it."""
        if "?" in address:
            self.rules.redirects[address] = target
            self.report.redirects += 1
            return
        relative = file_for(address)
        last = relative.rsplit("/", 1)[-1]
        if "." not in last:  # /blog/old-name (no slash): served from its folder
            relative += "/index.html"
        if self.staging.has(relative) or not is_safe_file(relative):
            return
        self.rules.redirects[address] = target
        self.staging.write(
            relative, hosting.stub(target, self.origin, self.language or settings.LANGUAGE_CODE)
        )
        self.report.redirects += 1
        self.item(address, relative)

    def item(self, address: str, relative: str) -> None:
        if self.on_item:
            self.on_item(address, relative)
