"""Risk levels of areas (封控区, 管控区, 防范区): who set which level on an area, when and why, and what a level means for the areas below it."""
