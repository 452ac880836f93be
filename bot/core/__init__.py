"""The coaching domain: plain Python that knows nothing of Telegram or TinyDB."""
