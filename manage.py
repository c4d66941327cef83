#!/usr/bin/env python
"""Django's manage.py, kept for habit; `wangge` is the same command."""

from wangge.__main__ import main

if __name__ == "__main__":
    main()
