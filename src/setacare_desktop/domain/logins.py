"""Login IDs: how long one may be (the services check it; the login dialog limits its box to it
before the services are loaded, so this module imports nothing)."""

LOGIN_MAX = 64
