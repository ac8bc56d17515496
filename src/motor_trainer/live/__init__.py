"""The live run without Qt: analysers fed frame by frame, the session a camera run builds, practice state.

The desktop app (gui/) drives these from its worker thread; the tests and benchmarks drive them directly.
"""
