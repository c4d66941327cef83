"""Exit 0 when the PostgreSQL server in the given URL answers, 1 otherwise."""

import sys

import psycopg

url = sys.argv[1]
try:
    # Connect to the maintenance database: the test database is created by the tests.
    base = url.rsplit("/", 1)[0] + "/postgres"
    psycopg.connect(base, connect_timeout=3).close()
except psycopg.Error:
    sys.exit(1)
