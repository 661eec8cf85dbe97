"""The ``truecost`` command line: one module per subcommand, collected by ``truecost.cli.main``."""
