"""The text conversation: state, keywords, dates, the steps and the machine."""
