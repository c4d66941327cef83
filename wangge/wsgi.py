import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
application = get_wsgi_application()

# Import every view now, then exempt what is loaded from the garbage collector: the
# collector no longer walks Django and the application on each full collection, and
# gunicorn's forked workers keep sharing those pages (measured in docs/benchmarks.md).
import wangge.urls  # noqa: E402, F401

gc.freeze()
