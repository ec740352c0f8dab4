"""Services on top of the user agent: registration, messaging, presence, welcome."""
