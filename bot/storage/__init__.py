"""Storage backends behind bot.core.ports.Repository."""
