"""The phone line: the keypad menu and what a keypress changes."""
