"""Demo data for Trajectwijzer."""
