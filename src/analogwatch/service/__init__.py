"""The intelligence-sharing service: agencies record identifications, share them and get alerted."""
