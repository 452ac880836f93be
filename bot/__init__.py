"""A Telegram companion for stress and burn-out coaching, between sessions with a human coach."""
