"""Settings package: ``base`` reads the environment, the others pick a mode.

``development`` is the default for ``manage.py``; ``production`` refuses to start without what a
public site needs; ``test`` is what pytest uses.
"""
