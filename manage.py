#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # From a checkout, commands run with the local demo's settings unless told otherwise
    # (`makemigrations --check` needs no secret). Production serves through config.wsgi, which
    # has no such default, and its image sets DJANGO_DEBUG=0 for its own commands.
    os.environ.setdefault("DJANGO_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
