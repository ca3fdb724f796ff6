"""ToothPick Integration Hub: the service core (settings, vault, models, store, engine)."""
