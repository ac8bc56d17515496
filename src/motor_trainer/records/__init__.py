"""The plain records every layer passes around: verdicts, the success rule, outcome settings, a session's verdicts.

They sit at the bottom so that storage, skills and analysis can all speak of a verdict without importing each other.
"""
