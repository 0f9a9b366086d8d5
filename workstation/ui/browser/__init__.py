"""The patient browser: studies of the local store, their series and thumbnails."""
