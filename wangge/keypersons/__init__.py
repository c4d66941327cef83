"""Key persons (重点人群): people under a measure (quarantine, health monitoring) until their policy releases them."""
