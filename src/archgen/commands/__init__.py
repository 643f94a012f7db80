"""One module per subcommand; each has `register(app)`. The CLI lists them in COMMANDS."""
