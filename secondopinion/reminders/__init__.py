"""Reminders: the sweep that claims due ones, and the two-phase send of a chunk.

`sweep` claims due rows and mends what a crash left; `send.send_reminders` runs
`prepare` (phase one: decide and word, under the people's locks, one transaction for the
chunk) then `deliver` (phase two: hand to Twilio a few at a time, each group under its
people's locks); `refusals` says what Twilio's errors mean.
"""
