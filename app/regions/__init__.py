"""Region tree (county > township > village), units and village cadre rosters."""
