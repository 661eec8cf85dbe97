"""The ``truecost`` entry point.

Each public module in ``truecost.cli`` other than this one and ``common`` defines
a click command (or group) named ``command``, loaded when that command runs.
The entry point turns every ``TruecostError`` into one line on stderr and the
error's exit status, so a user's mistake never prints a traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import click
import duckdb

from truecost import __version__
from truecost.errors import TruecostError

_NOT_COMMANDS = {"main", "common"}


# Module names that differ from their command's name (``import`` is a keyword).
_MODULE_FOR_COMMAND = {"import": "import_logs"}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that subcommand runs.

    Importing every subcommand (and its dependencies) would add about half a
    second to each run, which matters for ``report`` over large log trees.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        import truecost.cli as package

        commands_by_module = {module: name for name, module in _MODULE_FOR_COMMAND.items()}
        names = [
            commands_by_module.get(info.name, info.name)
            for info in pkgutil.iter_modules(package.__path__)
            if info.name not in _NOT_COMMANDS and not info.name.startswith("_")
        ]
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.list_commands(ctx):
            return None
        module = importlib.import_module(
            f"truecost.cli.{_MODULE_FOR_COMMAND.get(cmd_name, cmd_name)}"
        )
        command = getattr(module, "command", None)
        return command if isinstance(command, click.Command) else None


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="truecost")
def cli() -> None:
    """What your AI features in production really cost, and how to cut it."""


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status."""
    set_exit_status(0)
    try:
        cli.main(args=argv, prog_name="truecost", standalone_mode=False)
    except TruecostError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_status
    except click.exceptions.Abort:
        # click turns Ctrl-C into Abort.
        click.echo(_INTERRUPTED, err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, RuntimeError, duckdb.Error) as exc:
        if not _is_interrupt(exc):
            raise
        click.echo(_INTERRUPTED, err=True)
        return 130
    except BrokenPipeError:
        return 0
    return _exit_status


_INTERRUPTED = (
    "interrupted: the ledger keeps every batch stored before the interrupt, and nothing of "
    "the batch in progress. Run the same import again to add the rest"
)


def _is_interrupt(exc: BaseException) -> bool:
    """Return True for Ctrl-C, however DuckDB reported it.

    DuckDB turns Ctrl-C during a query into ``InterruptException`` or a
    ``RuntimeError('Query interrupted')``, and a Ctrl-C inside a Python stream it
    reads into an error whose message names ``KeyboardInterrupt``.

    A cleanup step that fails after the interrupt raises an error of its own, so the
    errors it was raised while handling are checked too.
    """
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KeyboardInterrupt | duckdb.InterruptException):
            return True
        message = str(seen)
        if "Query interrupted" in message or "KeyboardInterrupt" in message:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# Commands that finish with a status other than 0 without an error (for example
# ``alerts check`` when an alert fired) set it through ``set_exit_status``.
_exit_status = 0


def set_exit_status(status: int) -> None:
    """Make ``main`` return ``status`` once the current command finishes."""
    global _exit_status
    _exit_status = status


if __name__ == "__main__":
    sys.exit(main())
