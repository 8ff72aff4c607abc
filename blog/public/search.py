"""Full-text search over published posts: SQLite FTS5 or PostgreSQL's full-text search.

The index lives in the database and is kept in step by triggers (see migration
0003_public_site): every insert, update and delete of a post or of its tags, whoever
makes it (admin, importer, shell, ``QuerySet.update()``), updates it in the same
transaction. Results always start from ``Post.objects.published()``.

The body is indexed and quoted from ``Post.body_text``, the text a reader sees of the
sanitized HTML, never the Markdown (whose comments and link URLs the page does not show).

- SQLite: an FTS5 table ``blog_post_fts`` (title, description, tags, body) with the
  ``unicode61 remove_diacritics 2`` tokenizer, so « carriere » finds « Carrière »; each
  word of the query is a prefix (« carri » finds it too); ranked by BM25 with the title
  weighing most.
- PostgreSQL: a ``search_document`` tsvector column on ``blog_post`` with a GIN index,
  built with the configuration of the post's language, kept in ``search_config``
  (``carnet_french``: French stemming, accents removed by ``unaccent``; ``carnet_english``,
  German, Spanish, Italian, Portuguese, Dutch alike; ``carnet_simple`` for any other); the
  reader's words are stemmed in each language, each post matched in its own (migration
  0010); ranked by ``ts_rank_cd``; highlighted by ``ts_headline``.
"""

from __future__ import annotations

import re

from django.db import connection
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from blog import prepared, search_index
from blog.models import Post, attach_tags
from blog.public import passages
from blog.search_index import Query

# Private-use characters mark the matches; they cannot come from a post (HTML is escaped
# around them, then they become <mark>).
START, STOP = "\ue000", "\ue001"

FTS_WEIGHTS = (10.0, 4.0, 6.0, 1.0)  # title, description, tags, body


# What one search may cost, whatever the number of posts: the MAX_RESULTS published posts that
# match and were added last (walked by id, newest first, stopping there) are ranked, never every
# match. Ranking
# reads each candidate's word positions (BM25, ts_rank_cd): ranking all of them made a common
# word cost O(N) (seconds at 10,000 posts). A word found in more posts says so on the page.
MAX_RESULTS = 100
# PostgreSQL: how many of the newest visible posts are tried first (see ranked_ids).
RECENT_WINDOW = 2 * (MAX_RESULTS + 1)


def ranked_ids(query: Query) -> list[int]:
    """Ids of the last added published posts matching, best first (one query): at most
    MAX_RESULTS + 1, so that a caller knows when there are more than it shows."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    published = Post.Status.PUBLISHED
    if connection.vendor == "postgresql":
        # The GIN index finds the matches (the materialized CTE keeps the planner from walking
        # the primary key backwards and testing every row, which a rare word made O(N)); only
        # the last added MAX_RESULTS visible ones are ranked. Finding them stays O(matches) here
        # (GIN gives no order), at a few microseconds each, instead of ranking them all.
        # Each candidate is matched in its own language (search_config) with queries made
        # once (to_tsquery per row would cost a few microseconds a match): a French post exactly
        # as with French alone. The GIN index looks the words up in every language at once.
        own_language = " ".join(
            f"WHEN '{config}'::regconfig THEN search_document @@ (SELECT {config} FROM words)"
            for config in search_index.POSTGRES_CONFIGS
        )
        #
        # A common word first: the newest visible posts (a window of the (status, id) index)
        # often hold enough matches, which are then the newest matches of all, found in a few
        # hundred rows whatever the number of posts (a word in every post read every post:
        # 10 ms at 1,000). Only when the window holds fewer does the GIN search run (a one-time
        # filter: not even started otherwise).
        # A match in its own language is one in any (their OR): the window tests that alone,
        # each test reading the row's word list again (half the window's time); the GIN search
        # needs the OR, which its index answers.
        in_own = f"CASE search_config {own_language} ELSE false END"
        matched = f"search_document @@ (SELECT any_language FROM words) AND {in_own}"
        sql = (
            "WITH words AS MATERIALIZED (SELECT blog_search_query(w) AS any_language, "
            + ", ".join(f"to_tsquery('{c}', w) AS {c}" for c in search_index.POSTGRES_CONFIGS)
            + " FROM (SELECT %s::text AS w) typed"
            "), recent AS MATERIALIZED ("
            "  SELECT id, pub_date, search_document, search_config FROM ("
            "    SELECT id, pub_date, search_document, search_config FROM blog_post"
            "    WHERE status = %s AND pub_date <= %s ORDER BY status, id DESC LIMIT %s) w"
            f"  WHERE {in_own} ORDER BY id DESC LIMIT %s"
            "), enough AS MATERIALIZED (SELECT count(*) >= %s AS yes FROM recent"
            "), matches AS MATERIALIZED ("
            "  SELECT id, status, pub_date, search_document, search_config FROM blog_post"
            f"  WHERE NOT (SELECT yes FROM enough) AND {matched}"
            # The candidates carry what ranks them: no second visit of each row by its key.
            "), newest AS ("
            "  SELECT id, pub_date, search_document, search_config FROM recent"
            "  WHERE (SELECT yes FROM enough)"
            "  UNION ALL"
            "  (SELECT id, pub_date, search_document, search_config FROM matches"
            "  WHERE status = %s AND pub_date <= %s ORDER BY id DESC LIMIT %s)"
            ") SELECT id FROM newest "
            "ORDER BY ts_rank_cd(search_document, to_tsquery(search_config, %s)) DESC, "
            "pub_date DESC"
        )
        words = query.tsquery()
        wanted = MAX_RESULTS + 1
        params = (
            words,
            published,
            now,
            RECENT_WINDOW,
            wanted,
            wanted,
            published,
            now,
            wanted,
            words,
        )
    else:
        # FTS5 walks its matches newest first (rowid DESC, no sort) and the LIMIT stops it (a
        # prefix word too: its prefix index, blog/search_index.py SQLITE_PREFIXES); each is
        # checked visible on the covering index blog_post_visibility, not on the table's row,
        # whose long text columns sit between the key and pub_date. CROSS JOIN keeps that
        # order of the loops. bm25() scores the rows kept only, but counts each word's posts
        # for its weight (FTS5 stores no such count): the one part that grows with the posts.
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (
            "SELECT id FROM ("
            f"  SELECT f.rowid AS id, bm25(blog_post_fts, {weights}) AS score, p.pub_date "
            "  FROM blog_post_fts f CROSS JOIN blog_post p INDEXED BY blog_post_visibility "
            "  ON p.id = f.rowid "
            "  WHERE blog_post_fts MATCH %s AND p.status = %s AND p.pub_date <= %s "
            "  ORDER BY f.rowid DESC LIMIT %s"
            ") ORDER BY score, pub_date DESC"
        )
        params = (query.fts5(), published, now, MAX_RESULTS + 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _highlights(query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
    """{id: (title, snippet)} with the matches between START and STOP."""
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        return _postgres_highlights(query, ids)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT rowid, highlight(blog_post_fts, 0, %s, %s), "
        "snippet(blog_post_fts, -1, %s, %s, '…', 32) "
        # One FTS5 walk over the ids' range (they are among the newest matches, so it is
        # short), the ids a filter on it (+rowid): a lookup per id would expand a prefix
        # longer than the prefix indexes (every word it starts, every post they are in) once
        # per id.
        "FROM blog_post_fts WHERE blog_post_fts MATCH %s AND rowid BETWEEN %s AND %s "
        f"AND +rowid IN ({marks})"
    )
    params = (START, STOP, START, STOP, query.fts5(), min(ids), max(ids))
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *ids))
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


_MAX_WORDS = 40
_DELIMITER = " ... "  # ts_headline's FragmentDelimiter
_TITLE_OPTIONS = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
_SNIPPET_OPTIONS = (
    f"StartSel={START}, StopSel={STOP}, MaxWords={_MAX_WORDS}, MinWords=20, MaxFragments=2"
)
_SECOND_OPTIONS = _SNIPPET_OPTIONS.replace("MaxFragments=2", "MaxFragments=1")
_WORDS = re.compile(r"\w+")


def _postgres_highlights(query: Query, ids: list[int]) -> dict[int, tuple[str, str]]:
    """ts_headline over the passage of each text that holds the match (blog/public/passages.py),
    not the whole text: it parses and stems every character it is given."""
    words = query.tsquery()
    with connection.cursor() as cursor:
        # Each post's text, the stems of the query in its language, and whether its body
        # matches (weight C: the title is A, its tags and description B).
        cursor.execute(
            "SELECT p.id, q::text, p.description || E'\\n' || p.body_text, "
            "ts_filter(p.search_document, '{c}') @@ q "
            "FROM blog_post p, LATERAL (SELECT to_tsquery(p.search_config, %s) AS q) words "
            "WHERE p.id = ANY(%s::bigint[])",
            (words, list(ids)),
        )
        windows: dict[int, passages.Window] = {}
        seconds: dict[int, passages.Window] = {}
        anchored: set[int] = set()
        for pk, printed, text, in_body in cursor.fetchall():
            stems = passages.lexemes(printed)
            found = passages.window(text, stems)
            if found is not None:
                anchored.add(pk)
                if found.end is not None:
                    second = passages.following(text, stems, found.end)
                    if second is not None:
                        seconds[pk] = second
            elif in_body:
                found = passages.WHOLE  # the stems are there in a form not found here
            else:
                # Matched by its title, tags or description alone: ts_headline shows the
                # start of the text.
                found = passages.start_of(text)
            windows[pk] = found
        marked = _headlines(cursor, words, windows, seconds)
        # A passage where ts_headline found no match after all: the whole text, as before.
        again = {
            pk: passages.WHOLE
            for pk in anchored
            if START not in marked[pk][1] and not windows[pk].whole
        }
        if again:
            marked.update(_headlines(cursor, words, again, {}))
    return marked


def _headlines(
    cursor,
    words: str,
    windows: dict[int, passages.Window],
    seconds: dict[int, passages.Window],
) -> dict[int, tuple[str, str]]:
    """ts_headline over each post's passage, and over its second passage if it has one."""
    # One array a column (not a row of values each): the same statement for any number of
    # results, prepared once per connection (site_config/settings.py).
    rows = [(pk, *_substr(window), *_substr(seconds.get(pk))) for pk, window in windows.items()]
    columns = [list(column) for column in zip(*rows, strict=True)]
    # The second passage only where the first gave one fragment (no delimiter): it nearly
    # always gives two (298 of 300 results on the bench posts), and the second passage was a
    # third of the text ts_headline parsed. (OFFSET 0: the first headline computed once, not
    # again where the condition reads it.)
    cursor.execute(
        "SELECT p.id, ts_headline(p.search_config, p.title, q, %s), h.first, "
        "CASE WHEN w.second IS NOT NULL AND strpos(h.first, %s) = 0 THEN "
        "ts_headline(p.search_config, substr(text, w.second, w.second_count), q, %s) END "
        "FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::int[]) "
        "AS w(id, first, count, second, second_count) "
        "JOIN blog_post p ON p.id = w.id, "
        "LATERAL (SELECT to_tsquery(p.search_config, %s) AS q, "
        "p.description || E'\\n' || p.body_text AS text) words, "
        "LATERAL (SELECT ts_headline(p.search_config, substr(text, w.first, w.count), q, %s) "
        "AS first OFFSET 0) h",
        (_TITLE_OPTIONS, _DELIMITER, _SECOND_OPTIONS, *columns, words, _SNIPPET_OPTIONS),
    )
    marked = {}
    for pk, title, snippet, second in cursor.fetchall():
        # The passage held one fragment only (at most MaxWords words, no delimiter): the
        # second, found further on, as ts_headline joins them over the whole text.
        if second and START in second and START in snippet and _one_fragment(snippet):
            snippet = f"{snippet}{_DELIMITER}{second}"
        marked[pk] = (title, snippet)
    return marked


def _substr(window: passages.Window | None) -> tuple[int | None, int | None]:
    """substr()'s start (1-based) and count, in characters as Python's str counts them."""
    if window is None:
        return None, None
    end = window.end if window.end is not None else 2**31 - 1 - window.start
    return window.start + 1, end - window.start


def _one_fragment(snippet: str) -> bool:
    return _DELIMITER not in snippet and len(_WORDS.findall(snippet)) <= _MAX_WORDS


def highlight_html(text: str) -> SafeString:
    """Escape the text, then turn the match markers into <mark>."""
    html = escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>")
    # A snippet cut inside a match would leave an unclosed <mark>.
    if html.count("<mark>") > html.count("</mark>"):
        html += "</mark>"
    return mark_safe(html)  # safe: escaped above; only our <mark> tags are added


def results(query: Query, ids: list[int]) -> list[Post]:
    """The posts of one result page, in rank order, with highlighted title and snippet."""
    # By id (the primary key), not published() again: SQLite would walk every published post
    # on the (status, pub_date) index to find ten ids. The ids come from ranked_ids, which
    # reads visible posts only; is_published below checks them once more all the same.
    # Their SQL built once per number of ids (blog.prepared): in_bulk() compiled it for every
    # search, a sixth of the page's own time.
    found = prepared.rows(
        ("search-cards", len(ids)),
        lambda *ids: Post.objects.cards().filter(pk__in=ids).order_by(),
        tuple(ids),
    )
    posts = {post.pk: post for post in found if post.is_published}
    attach_tags(list(posts.values()))
    marked = _highlights(query, list(posts))
    ordered = []
    for post_id in ids:
        post = posts.get(post_id)
        if post is None:
            continue
        title, snippet = marked.get(post_id, (post.title, ""))
        post.title_html = highlight_html(title)
        post.snippet_html = highlight_html(snippet)
        ordered.append(post)
    return ordered
