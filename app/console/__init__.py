"""Staff web console: server-rendered pages at /console/ on top of the domain services."""
