"""The service: its settings, the container every process builds once, and what it does.

One module (or package) per thing it does for a patient: `conversation` (a text in),
`voice` (the phone line), `reminders` (the sweep and the two-phase send), `delivery`
(Twilio's reports), `staff` (what staff do for a person), `sandbox` (the simulator's
sends). Each reads and writes through `store` and asks `flows` what to do.
"""
