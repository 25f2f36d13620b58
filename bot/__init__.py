"""clinicbot answer engine: guard -> retrieve -> compose -> verify -> Answer."""
