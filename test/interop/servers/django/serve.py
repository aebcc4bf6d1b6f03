#!/usr/bin/python3
"""What the launcher runs: a fresh database, the test user and the OAuth client made with Django's and
django-oauth-toolkit's own management commands, then the server `manage.py runserver` runs (Django's
threaded development server, with its static files handler), bound to a free loopback port that it
prints once listening. One Python process, because starting Django costs seconds on a busy machine."""
import os
import socketserver
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.handlers import StaticFilesHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer, get_internal_wsgi_application  # noqa: E402

call_command("migrate", verbosity=0)
# The password comes from DJANGO_SUPERUSER_PASSWORD. Admin's login form takes staff users only.
call_command(
    "createsuperuser",
    interactive=False,
    username=os.environ["DJANGO_SUPERUSER_USERNAME"],
    email=os.environ["DJANGO_SUPERUSER_EMAIL"],
    verbosity=0,
)
call_command(
    "createapplication",
    "confidential",
    "authorization-code",
    client_id=os.environ["INTEROP_CLIENT_ID"],
    client_secret=os.environ["INTEROP_CLIENT_SECRET"],
    name="tokendesk",
    redirect_uris=os.environ["INTEROP_REDIRECT_URI"],
)

from oauth2_provider.models import get_application_model  # noqa: E402

# createapplication 1.7 has no option for the ID token algorithm; without one the client gets no OIDC.
if get_application_model().objects.filter(client_id=os.environ["INTEROP_CLIENT_ID"]).update(algorithm="RS256") != 1:
    sys.exit("createapplication did not create the client")


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


httpd = Server(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
httpd.set_app(StaticFilesHandler(get_internal_wsgi_application()))
print(f"listening on port {httpd.server_address[1]}", flush=True)
httpd.serve_forever()
