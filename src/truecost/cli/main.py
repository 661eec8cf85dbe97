"""The ``truecost`` entry point.

Each module in ``truecost.cli`` other than this one and ``common`` defines a
click command (or group) named ``command``; they are added here in name order.
The entry point turns every ``TruecostError`` into one line on stderr and the
error's exit status, so a user's mistake never prints a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click

from truecost import __version__
from truecost.errors import TruecostError

_NOT_COMMANDS = {"main", "common"}


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="truecost")
def cli() -> None:
    """What your AI features in production really cost, and how to cut it."""


def _add_commands() -> None:
    import truecost.cli as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in _NOT_COMMANDS or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"truecost.cli.{info.name}")
        command = getattr(module, "command", None)
        if isinstance(command, click.Command):
            cli.add_command(command)


_add_commands()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    try:
        cli.main(args=argv, prog_name="truecost", standalone_mode=False)
    except TruecostError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_status
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo(
            "interrupted; the ledger keeps every batch committed before the interrupt", err=True
        )
        return 130
    except BrokenPipeError:
        return 0
    return _exit_status


# Commands that finish with a status other than 0 without an error (for example
# ``alerts check`` when an alert fired) set it through ``set_exit_status``.
_exit_status = 0


def set_exit_status(status: int) -> None:
    """Make ``main`` return ``status`` once the current command finishes."""
    global _exit_status
    _exit_status = status


if __name__ == "__main__":
    sys.exit(main())
