"""Pictures for the coachee: rendered from core summaries, with texts the caller translated."""
