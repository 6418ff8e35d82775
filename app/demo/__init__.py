"""The demo county (竹山县) for development: regions, units, rosters and one account per role."""
