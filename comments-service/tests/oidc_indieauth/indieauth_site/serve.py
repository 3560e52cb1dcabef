# Migrates a fresh database, creates the user `ada` (password from
# INDIEAUTH_PASSWORD), then serves the site on 127.0.0.1:0 with wsgiref and
# prints `port <N>`.
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from wsgiref.simple_server import WSGIRequestHandler, make_server  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
get_user_model().objects.create_user("ada", password=os.environ["INDIEAUTH_PASSWORD"])


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=Quiet)
print(f"port {server.server_port}", flush=True)
server.serve_forever()
