"""The `heroku-stack` command line: one entry point, one subcommand module per area."""
