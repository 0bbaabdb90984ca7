"""Outcomes: the milestones of a journey, the funnel they make, and who is stuck where."""
