"""Notifications: the emails the registry sends to the people a change concerns (app/services/notifications.py
decides who and when; messages.py says what)."""
