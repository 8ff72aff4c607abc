"""Carnet on several machines, for real on this one: PostgreSQL, Redis, an S3 server (moto), two
gunicorn app servers and nginx in front of them (deploy/nginx.conf) with its page cache on.

Started once for the class by tests/support/cluster.py on free loopback ports and stopped after,
whatever happens. Skipped, with what is missing, where nginx, redis-server, moto or PostgreSQL
are not there; CARNET_REQUIRE_MULTINODE=1 (CI) turns that skip into a failure. ``pytest -s``
shows each phase's time.
"""

from __future__ import annotations

import html
import math
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.test import SimpleTestCase

from tests.support import cluster as parts
from tests.support import required
from tests.support.cluster import Browser, Cluster, fetch, say
from tests.support.factories import make_image, post_form_data

ADD = "/admin/blog/post/add/"
S_MAXAGE = 2  # seconds nginx may keep a public page
STALE_WHILE_REVALIDATE = 30
# Documentation addresses (RFC 5737) for readers behind the proxy, one per test.
READER_ADDRESS = {"X-Forwarded-For": "192.0.2.10"}


def image_urls(page: str) -> list[str]:
    """Every image address of a page: <img src> and each srcset candidate."""
    urls = [html.unescape(src) for src in re.findall(r'<img[^>]* src="([^"]+)"', page)]
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        urls += [html.unescape(item.strip().split(" ")[0]) for item in srcset.split(",")]
    return urls


@pytest.mark.multinode
class MultiNodeTests(SimpleTestCase):
    cluster: Cluster
    editor: Browser

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = parts.missing_parts()
        if missing:
            required.skip_or_fail("MULTINODE", f"the multi-node test needs {'; '.join(missing)}")
        started = time.monotonic()
        cls.cluster = Cluster(
            env={
                "CARNET_CACHE_S_MAXAGE": str(S_MAXAGE),
                "CARNET_CACHE_STALE_WHILE_REVALIDATE": str(STALE_WHILE_REVALIDATE),
                "CARNET_CONTACT_MESSAGES_PER_HOUR": "3",
                "CARNET_CONTACT_EMAIL": "proprietaire@example.org",  # mailed to the node's log
            }
        )
        cls.addClassCleanup(cls.cluster.stop)
        cls.cluster.start()
        cls.a, cls.b = cls.cluster.nodes["a"], cls.cluster.nodes["b"]
        # The editor signs in once, on node A, through the admin's login form.
        cls.editor = Browser(cls.a.url)
        reply = cls.editor.log_in(*parts.EDITOR)
        if reply.status != 302 or "sessionid" not in cls.editor.cookies:
            raise AssertionError(f"editor login on node A: {reply.status}\n{reply.text[:2000]}")
        say(f"[multinode] cluster ready in {time.monotonic() - started:.1f} s")

    def publish(self, title: str, slug: str, *, via: str) -> None:
        """The editor publishes a post with a featured image through the admin's add form."""
        editor = self.editor.at(via)
        image = make_image(f"{slug}.jpg", size=(1600, 900))
        fields = post_form_data(
            title=title,
            slug=slug,
            body=f"Écrit sur un nœud, lu sur l'autre ({slug}).",
            status="published",
            image_alt="Un bureau près d'une fenêtre",
        )
        fields["csrfmiddlewaretoken"] = editor.csrf_token(ADD)
        reply = editor.post(ADD, fields, files={"image": (image.name, image.read(), "image/jpeg")})
        self.assertEqual(reply.status, 302, reply.text[:3000])
        self.assertEqual(
            self.cluster.sql("SELECT status FROM blog_post WHERE slug = %s", (slug,)),
            [("published",)],
        )

    # 0. What nginx does itself: static files from STATIC_ROOT, the upload limit.

    def test_0_nginx_serves_static_files_and_refuses_oversized_bodies(self):
        home = Browser(self.cluster.nginx_url).get("/")
        stylesheet = re.search(r'href="(/static/[^"]+\.css)"', home.text)
        self.assertIsNotNone(stylesheet, "the page links its hashed stylesheet")
        reply = Browser(self.cluster.nginx_url).get(stylesheet[1])
        self.assertEqual(reply.status, 200)
        self.assertIn("immutable", reply.header("Cache-Control"))
        served = self.cluster.access_log(stylesheet[1], count=1)
        self.assertIn('upstream="-"', served[-1], "served from disk, no app server asked")
        # Over Carnet's 10 MB upload limit (plus the form): nginx answers before any node reads.
        with socket.create_connection(("127.0.0.1", self.cluster.nginx_port), timeout=10) as sock:
            sock.sendall(
                b"POST /admin/blog/post/upload-image/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=x\r\n"
                b"Content-Length: 12000000\r\n\r\n"
            )
            self.assertTrue(sock.recv(200).startswith(b"HTTP/1.1 413"))

    def test_0_searches_and_forms_never_wait_on_the_cache(self):
        """Never kept, so never looked up: a lookup takes nginx's cache lock, and readers of the
        same search then waited for the first one's answer, polled every 500 ms."""
        reader = Browser(self.cluster.nginx_url)
        for address in ("/search/?q=carriere", "/contact/", "/admin/login/"):
            with self.subTest(address=address):
                reply = reader.get(address)
                self.assertEqual(reply.status, 200)
                self.assertEqual(reply.header("X-Cache-Status"), "BYPASS")
        self.assertIn(reader.get("/").header("X-Cache-Status"), {"MISS", "HIT", "EXPIRED"})

    # 1. Published through node A, seen through node B and through nginx.

    def test_1_a_post_published_on_one_node_is_seen_on_the_other_and_through_nginx(self):
        reader = Browser(self.cluster.nginx_url)
        first = reader.get("/")
        kept_at = time.monotonic()
        second = reader.get("/")
        self.assertEqual(first.status, 200)
        self.assertIn(f"s-maxage={S_MAXAGE}", first.header("Cache-Control"))
        self.assertEqual(second.header("X-Cache-Status"), "HIT", "nginx keeps the public page")

        started = time.monotonic()
        self.publish("Publié depuis le nœud A", "publie-depuis-le-noeud-a", via=self.a.url)
        published = time.monotonic()
        say(f"[multinode] 1. publish through node A (form + image): {published - started:.2f} s")

        on_b = Browser(self.b.url)
        for path in ("/", "/blog/", "/blog/publie-depuis-le-noeud-a/", "/feed/"):
            with self.subTest(node="b", path=path):
                reply = on_b.get(path)
                self.assertEqual(reply.status, 200)
                self.assertIn("Publié depuis le nœud A", reply.text)
        # Through nginx, a signed-in editor never gets the kept page (it may show drafts)...
        editor = self.editor.at(self.cluster.nginx_url).get("/")
        self.assertEqual(editor.header("X-Cache-Status"), "BYPASS")
        self.assertIn("Publié depuis le nœud A", editor.text)
        # ...and the post's own page was never kept, so a reader has it at once.
        reply = reader.get("/blog/publie-depuis-le-noeud-a/")
        self.assertEqual(reply.status, 200)
        self.assertIn("Publié depuis le nœud A", reply.text)

        # The home page nginx kept before may be served until its s-maxage has passed (or, past
        # it, once more while nginx fetches the new one)...
        early = reader.get("/")
        if "Publié depuis le nœud A" not in early.text:
            self.assertIn(early.header("X-Cache-Status"), {"HIT", "STALE", "UPDATING"})
        # (nginx counts in whole seconds: a page kept at 10.0 s with s-maxage=2 is fresh to 12.99 s)
        time.sleep(max(0.0, kept_at + S_MAXAGE + 1.2 - time.monotonic()))
        # ...then the first reader gets the new page, or (stale-while-revalidate) the kept one
        # marked stale while nginx fetches the new one in the background, for the next reader.
        replies = [reader.get("/")]
        deadline = time.monotonic() + 15  # the background fetch, on a busy machine
        while "Publié depuis le nœud A" not in replies[-1].text and time.monotonic() < deadline:
            self.assertIn(replies[-1].header("X-Cache-Status"), {"STALE", "UPDATING"})
            time.sleep(0.1)
            replies.append(reader.get("/"))
        self.assertIn("Publié depuis le nœud A", replies[-1].text)
        say(
            f"[multinode] 1. new home page through nginx {time.monotonic() - published:.1f} s "
            f"after the save (s-maxage {S_MAXAGE} s), cache statuses "
            f"{[r.header('X-Cache-Status') for r in replies]}"
        )

    # 2. Media in the bucket, never on a node's disk.

    def test_2_the_image_and_its_renditions_are_served_from_the_bucket(self):
        started = time.monotonic()
        self.publish("Image dans le seau", "image-dans-le-seau", via=self.a.url)
        page = Browser(self.b.url).get("/blog/image-dans-le-seau/")
        self.assertEqual(page.status, 200)
        urls = image_urls(page.text)
        self.assertTrue(urls, "the post page shows its image")
        bucket = f"{self.cluster.s3.endpoint_url}/{parts.BUCKET}/"
        for url in urls:
            with self.subTest(url=url):
                self.assertTrue(url.startswith(bucket), f"{url} is not at {bucket}")
                reply = fetch(url)
                self.assertEqual(reply.status, 200)
                self.assertTrue(reply.header("Content-Type").startswith("image/"))
                self.assertGreater(len(reply.body), 100)
        self.assertTrue(any("renditions/" in url for url in urls), urls)
        self.assertTrue(any(url.endswith(".webp") for url in urls), urls)
        for node in (self.a, self.b):
            with self.subTest(node=node.name):
                self.assertEqual(node.media_files(), [], f"node {node.name} wrote to its disk")
        say(
            f"[multinode] 2. {len(urls)} image addresses, all in the bucket, both MEDIA_ROOT "
            f"empty: {time.monotonic() - started:.2f} s"
        )

    # 3. Limits that hold across nodes: the contact form's, the login lock-out.

    def test_3_the_contact_limit_holds_across_nodes(self):
        started = time.monotonic()
        email = f"lectrice-{uuid.uuid4().hex[:8]}@example.org"
        for number, node in enumerate((self.a, self.a, self.a, self.b), start=1):
            sender = Browser(node.url)
            fields = {
                "csrfmiddlewaretoken": sender.csrf_token("/contact/", headers=READER_ADDRESS),
                "name": "Lectrice",
                "email": email,
                "subject": f"Message {number}",
                "message": "Bonjour !",
                "website": "",
            }
            reply = sender.post("/contact/", fields, headers=READER_ADDRESS)
            self.assertEqual(reply.status, 302, reply.text[:2000])
            self.assertTrue(reply.header("Location").endswith("/contact/merci/"))
        rows = self.cluster.sql(
            "SELECT subject, rate_limited, mailed FROM blog_contactmessage "
            "WHERE email = %s ORDER BY id",
            (email,),
        )
        self.assertEqual(
            rows,
            [
                ("Message 1", False, True),
                ("Message 2", False, True),
                ("Message 3", False, True),
                ("Message 4", True, False),  # via node B: kept, flagged, not mailed
            ],
        )
        say(f"[multinode] 3. contact 3 via A + 1 via B: {time.monotonic() - started:.2f} s")

    def test_3_the_login_lock_out_holds_across_nodes(self):
        started = time.monotonic()
        username, password = parts.EDITOR
        attacker = {"X-Forwarded-For": "198.51.100.7"}
        for node in (self.a, self.b, self.a, self.b, self.a):
            reply = Browser(node.url).log_in(username, "pas-le-bon", headers=attacker)
            self.assertNotEqual(reply.status, 302)
        for node in (self.b, self.a):
            with self.subTest(node=node.name):
                reply = Browser(node.url).log_in(username, password, headers=attacker)
                self.assertEqual(reply.status, 429, reply.text[:2000])
                self.assertNotIn("sessionid", reply.header("Set-Cookie"))
        # The same person from another address is not locked out (the pair is)...
        reply = Browser(self.b.url).log_in(username, password, headers={
            "X-Forwarded-For": "198.51.100.8"})  # fmt: skip
        self.assertEqual(reply.status, 302)
        # ...and through nginx, the address a client writes itself is not believed: the reader
        # is the one nginx appends (the loopback here), not locked out.
        reply = Browser(self.cluster.nginx_url).log_in(username, password, headers=attacker)
        self.assertEqual(reply.status, 302)
        say(f"[multinode] 3. login lock-out across nodes: {time.monotonic() - started:.2f} s")

    # 4. A node dies under load.

    def test_4_killing_a_node_loses_no_get_and_no_saved_post(self):
        self.publish("Sauvé avant la panne", "sauve-avant-la-panne", via=self.a.url)
        self.addCleanup(self.cluster.restart_node, "a")  # for whichever test comes next
        paths = [f"/blog/?salve={n}" for n in range(120)]  # each one rendered, never kept
        statuses: list[int] = []
        done = threading.Semaphore(0)

        def read(path: str) -> int:
            try:
                return Browser(self.cluster.nginx_url, timeout=30).get(path).status
            finally:
                done.release()

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(read, path) for path in paths]
            for _ in range(30):  # a quarter of the burst first, then node A dies mid-load
                done.acquire()
            killed = time.monotonic()
            self.a.process.kill()
            statuses = [future.result() for future in futures]
        ended = time.monotonic()
        self.assertEqual(statuses, [200] * len(paths), "every GET answered through nginx")
        with self.assertRaises(ConnectionRefusedError):
            fetch(f"{self.a.url}/healthz", timeout=5)

        log = self.cluster.access_log("salve=", count=len(paths))
        self.assertEqual(len(log), len(paths))
        tried_a = f'upstream="{self.a.address}, {self.b.address}"'
        retried = [n for n, line in enumerate(log) if tried_a in line]
        self.assertTrue(retried, "some GETs were on node A when it died, and went to B")
        after = log[retried[0] :]
        self.assertFalse([line for line in after if f'upstream="{self.a.address}"' in line])
        # Once A has failed, nginx leaves it out (fail_timeout=10s): only the requests already
        # on their way to it, and one try every 10 s, still go there first.
        in_flight = 4
        self.assertLessEqual(len(retried), in_flight + 1 + math.ceil((ended - killed) / 10))
        reply = Browser(self.b.url).get("/blog/sauve-avant-la-panne/")
        self.assertEqual(reply.status, 200)
        self.assertIn("Sauvé avant la panne", reply.text)
        say(
            f"[multinode] 4. {len(paths)} GETs through nginx in {ended - started:.1f} s, node A "
            f"killed after {killed - started:.1f} s: all 200, {len(retried)} retried on B"
        )

    # 5. Redis goes away: the cache degrades, the site stays up.

    def test_5_pages_answer_from_the_database_when_redis_stops(self):
        started = time.monotonic()
        redis, port = parts.start_redis(self.cluster.folder, "redis-2")
        self.addCleanup(redis.stop)
        node = self.cluster.start_node(
            "c", env={"REDIS_URL": f"redis://127.0.0.1:{port}/0"}, workers=1
        )
        self.addCleanup(node.process.stop)
        reader = Browser(node.url)
        pages = ["/", "/blog/", "/tags/", "/feed/", "/sitemap.xml", "/archive/2020/"]
        for path in pages:  # warm: pages kept in this Redis
            self.assertEqual(reader.get(path).status, 200, path)
        redis.stop()
        stopped = time.monotonic()
        for _ in range(4):
            for path in pages:
                with self.subTest(path=path):
                    self.assertEqual(reader.get(path).status, 200)
        warnings = re.findall(r"Cache server \S+ does not answer", node.process.output())
        self.assertEqual(len(warnings), 1, warnings)
        health = fetch(f"{node.url}/healthz")
        self.assertEqual(health.status, 503)
        self.assertIn("cache", health.text.lower())
        say(
            f"[multinode] 5. Redis stopped: {4 * len(pages)} pages answered 200 in "
            f"{time.monotonic() - stopped:.1f} s, one warning (node started "
            f"{stopped - started:.1f} s before)"
        )
