"""The Telegram edge: handlers, keyboards, jobs and sending. Thin by design."""
