import gc
import importlib
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wangge.settings")
application = get_wsgi_application()

# Import every view now (through the URLconf), then exempt what is loaded from the garbage
# collector: the collector no longer walks Django and the application on each full
# collection, and gunicorn's forked workers keep sharing those pages (docs/benchmarks.md).
importlib.import_module(settings.ROOT_URLCONF)
gc.freeze()
