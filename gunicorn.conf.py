"""gunicorn settings for `make serve` and the benchmark; each can be overridden on the command line.

The access log records method, path (without the query string) and status only: a query string
could carry clinical values, and no log line may.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
wsgi_app = "marrowapp.wsgi:application"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
timeout = 30
graceful_timeout = 10
# Behind a TLS-terminating proxy: trust X-Forwarded-Proto only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
