"""The registry: organisations, people, regions, sector partnerships and their memberships."""
