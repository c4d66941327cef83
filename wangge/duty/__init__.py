"""Duty posts (值守), their 24-hour rosters, and scheduled tasks at fixed places and times (定时定点消杀, patrols)."""
