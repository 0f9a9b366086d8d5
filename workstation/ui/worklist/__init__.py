"""The technologist's console: worklist tab, registration, examination screen (issue 13)."""
