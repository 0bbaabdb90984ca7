"""The staff inbox: cases following the conversation, and texts staff write to a person.

`cases` keeps a person's case in step with what the flow decided (a question opens one, a
later text goes to it, STOP closes it) and carries out what staff do to a case; `texts`
sends what staff write through the reminders' own send path.
"""
