"""Reminders: the plan, quiet hours, what a due one says, and whether it goes now."""
