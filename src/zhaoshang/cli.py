"""The `zhaoshang` console script: Django's manage.py with the settings preset."""

import importlib
import os
import sys

# Commands that work on files only and use nothing of Django but its command class and settings: they run
# without setting Django up. Setting it up imports every app with its models, views and their libraries
# (2 s and ~100 MB on the benchmark machine), which for `complexity` on one national year is more than the
# computation.
FILE_COMMANDS = {
    "complexity": "zhaoshang.industries.management.commands.complexity",
    "coords": "zhaoshang.geo.management.commands.coords",
    "registry": "zhaoshang.industries.management.commands.registry",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    module = FILE_COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    if module is not None:
        importlib.import_module(module).Command().run_from_argv(sys.argv)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
