"""The one place that talks to WeChat: our own small client over requests (client.py), the calls the domains
use (service.py), and the development stand-in (standin.py, never in production)."""
