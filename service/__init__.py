"""The application: its components built once from the settings, and the use cases the CLI and the HTTP API share."""
