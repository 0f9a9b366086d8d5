"""Use cases a user triggers (import, send, retrieve, ...), as job handlers over store and net."""
