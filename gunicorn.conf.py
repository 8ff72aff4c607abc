"""gunicorn's settings for Carnet: `.venv/bin/gunicorn -c gunicorn.conf.py site_config.wsgi`.

Read from the environment, like the site's own settings (README, « Deploy »); a command-line
option still wins (`-b 0.0.0.0:9000`, `-w 3`).
"""

import multiprocessing
import os

# PORT (a number, or host:port): 127.0.0.1 by default, for a proxy (nginx) on the same machine;
# only a deliberate PORT=0.0.0.0:8000 listens on every interface.
_port = os.environ.get("PORT", "8000")
bind = _port if ":" in _port else f"127.0.0.1:{_port}"

# Sync workers, each one request at a time: 2 per core + 1 keeps the CPUs busy while others
# wait on the database or the disk (gunicorn's advice). WEB_CONCURRENCY (the usual name on
# hosting platforms) sets it; on a small machine with little memory, say 2 or 3.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# A request that takes 30 s is stuck (rendering is bounded well below a second, an image
# upload's checks too): the worker is killed and replaced, instead of being lost for good.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
# On a restart (SIGHUP, deploy), requests in flight get this long to finish.
graceful_timeout = 30
# Behind nginx, which keeps connections to the app server open between requests: a little
# longer than none saves a TCP handshake per request; sync workers are not held long by it.
keepalive = 5

# Workers are replaced after 2,000 to 3,000 requests, so a slow leak in a library cannot grow for
# weeks. A worker being replaced answers nothing for the second or two Django takes to start in
# the new one; the wide jitter keeps two workers that share the load evenly from being replaced
# at the same moment (with a jitter of 100 both workers of a node were, and every request
# arriving meanwhile waited: p99 3 s instead of 40 ms; bench/bench_load.py's open loop).
max_requests = 2000
max_requests_jitter = 1000

# The application is loaded in each worker, not in the master: a DATABASE_URL or a secret that
# is wrong says so in every worker's log, and the master restarts them.
preload_app = False

# Logs to stdout/stderr, for systemd's journal or the container's log.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The reader's address (X-Forwarded-For behind a proxy), request, status, bytes, referrer,
# agent and the time taken in milliseconds (%(M)s): what tells a slow page from a busy server.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(B)s "%(f)s" "%(a)s" %(M)sms'

# The wsgi module refuses to start without DJANGO_SECRET_KEY (unless DJANGO_DEBUG=1).
wsgi_app = "site_config.wsgi:application"
