"""Issue 16's workbench: the command palette (palette.py), saved views
(savedviews.py) and the start page for each role (start.py); their views in views.py."""
