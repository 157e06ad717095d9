"""The Platform API endpoints the sandbox serves, one module per resource family."""
