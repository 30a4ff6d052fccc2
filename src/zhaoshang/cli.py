"""The `zhaoshang` console script: Django's manage.py with the settings preset."""

import importlib
import os
import sys

import django

# Commands that work on files only and use nothing of Django but its command class and settings: they run
# without setting Django up. Setting it up imports every app with its models, views and their libraries
# (2 s and ~100 MB on the benchmark machine), which for `complexity` on one national year is more than the
# computation.
FILE_COMMANDS = {
    "complexity": "zhaoshang.industries.management.commands.complexity",
    "coords": "zhaoshang.geo.management.commands.coords",
    "registry": "zhaoshang.industries.management.commands.registry",
}

# Django's commands that write accounts (audited) without a user of ours behind them.
ACCOUNT_COMMANDS = {"createsuperuser", "changepassword"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhaoshang.settings")
    module = FILE_COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
    if module is not None:
        importlib.import_module(module).Command().run_from_argv(sys.argv)
        return
    # deferred: the file commands above (complexity, coords, registry) run without Django
    from django.core.management import execute_from_command_line

    if len(sys.argv) > 1 and sys.argv[1] in ACCOUNT_COMMANDS:
        # Django's own account commands take no `--as`: their writes are the server operator's, as `system-cli`.
        # Imported here, once Django is set up: the audit module needs the app registry.
        django.setup()
        from zhaoshang.core.audit import acting_as, system_actor

        with acting_as(lambda: system_actor("cli"), "cli"):
            execute_from_command_line(sys.argv)
        return
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
